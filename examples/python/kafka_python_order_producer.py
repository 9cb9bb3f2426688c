#!/usr/bin/python3
"""Produces --count orders to --topic with kafka-python, keyed by user id, with acks=all; waits until the broker
has acknowledged every one, then prints one summary line. Exit code 0 only when all were acknowledged."""
import sys

from kafka import KafkaProducer
from kafka.errors import KafkaError

import orders

args = orders.producer_arguments(__doc__)
producer = KafkaProducer(
    bootstrap_servers=args.bootstrap_servers,
    # Names the producer in the broker's view of its connections.
    client_id="order-producer-kafka-python",
    # An order counts as written only once the partition's in-sync replicas have it.
    acks="all",
    key_serializer=str.encode,
    value_serializer=str.encode,
)

deliveries = []
for order_id in orders.order_ids(args):
    key, value = orders.new_order(order_id, args.users)
    # kafka-python hashes the key with murmur2 (as the Java client does) to pick the partition; librdkafka-based
    # clients use CRC32, so the same user can land in another partition than with them.
    deliveries.append(producer.send(args.topic, key=key, value=value))

acknowledged_per_partition = {}
failures = []
for delivery in deliveries:
    try:
        metadata = delivery.get(timeout=30)
        acknowledged_per_partition[metadata.partition] = acknowledged_per_partition.get(metadata.partition, 0) + 1
    except KafkaError as error:
        failures.append(error)
producer.close()

if orders.producer_summary(acknowledged_per_partition, args.count, args.topic) < args.count:
    print(f"error: {len(failures)} orders were not acknowledged, the first because: {failures[0]}", file=sys.stderr)
    sys.exit(1)
