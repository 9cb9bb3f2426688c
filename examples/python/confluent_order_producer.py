#!/usr/bin/python3
"""Produces --count orders to --topic with confluent-kafka-python, keyed by user id, with acks=all; waits until
the broker has acknowledged every one, then prints one summary line. Exit code 0 only when all were acknowledged."""
import sys

from confluent_kafka import Producer

import orders

args = orders.producer_arguments(__doc__)
producer = Producer({
    "bootstrap.servers": args.bootstrap_servers,
    # Names the producer in the broker's view of its connections.
    "client.id": "order-producer-confluent-python",
    # An order counts as written only once the partition's in-sync replicas have it.
    "acks": "all",
    # Give up on an order after 30 s instead of librdkafka's default 5 minutes, so a missing broker shows quickly.
    "message.timeout.ms": 30_000,
    "error_cb": lambda error: print(f"error: {error}", file=sys.stderr),
})

acknowledged_per_partition = {}
failures = []


def on_delivery(error, message):
    if error is None:
        acknowledged_per_partition[message.partition()] = acknowledged_per_partition.get(message.partition(), 0) + 1
    else:
        failures.append(error)


for order_id in orders.order_ids(args):
    key, value = orders.new_order(order_id, args.users)
    # librdkafka hashes the key (CRC32) to pick the partition.
    producer.produce(args.topic, key=key, value=value, on_delivery=on_delivery)
    # Serves the delivery callbacks of what has been acknowledged so far, so none pile up.
    producer.poll(0)

# Waits for every acknowledgement (or failure); a little longer than message.timeout.ms, so all have an outcome.
producer.flush(35)
acknowledged = orders.producer_summary(acknowledged_per_partition, args.count, args.topic)
if acknowledged < args.count:
    reason = failures[0] if failures else "no answer in time"
    print(f"error: {args.count - acknowledged} orders were not acknowledged, the first because: {reason}", file=sys.stderr)
    sys.exit(1)
