#!/usr/bin/python3
"""One worker of a consumer group, with confluent-kafka-python: the group splits the topic's partitions among its
running workers. Each order is processed (here: printed), then its offset is committed. Ctrl-C or SIGTERM stops it
cleanly: it finishes the current order and leaves the group, so its partitions move to the other workers at once."""
import sys

from confluent_kafka import Consumer, KafkaException

import orders

args = orders.worker_arguments(__doc__)
worker = orders.Worker(args)
consumer = Consumer({
    "bootstrap.servers": args.bootstrap_servers,
    "group.id": args.group,
    # Tells the workers apart from other clients in 'rill group describe'.
    "client.id": "order-worker-confluent-python",
    # Offsets are committed by the loop below, after each order is processed, never before.
    "enable.auto.commit": False,
    # A group that has committed nothing yet starts at the oldest order, not only at orders produced from now on.
    "auto.offset.reset": "earliest",
    "error_cb": lambda error: print(f"error: {error}", file=sys.stderr),
})
consumer.subscribe(
    [args.topic],
    on_assign=lambda _, partitions: worker.assigned(p.partition for p in partitions),
    on_revoke=lambda _, partitions: worker.revoked(p.partition for p in partitions))

while (reason := worker.stop_reason()) is None:
    # A short poll, so that a stop request and the idle timeout are noticed within a fraction of a second.
    message = consumer.poll(0.2)
    if message is None:
        continue
    if message.error():
        # For example the topic does not exist yet: librdkafka keeps trying, and so does the worker.
        print(f"error: {message.error()}", file=sys.stderr)
        continue
    worker.process(message.partition(), message.offset(), message.value())
    try:
        # Commits offset + 1 of this partition: the next order the group will read there.
        consumer.commit(message=message, asynchronous=False)
    except KafkaException as error:
        worker.commit_failed(message.partition(), message.offset(), error)

# Every processed order is committed already, so what is left is to leave the group: close() tells the
# coordinator, which hands the partitions to the remaining workers at once instead of after the session timeout.
consumer.close()
worker.done(reason)
