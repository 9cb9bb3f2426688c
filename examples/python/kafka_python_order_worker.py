#!/usr/bin/python3
"""One worker of a consumer group, with kafka-python: the group splits the topic's partitions among its running
workers. Each order is processed (here: printed), then its offset is committed. Ctrl-C or SIGTERM stops it
cleanly: it finishes the current order and leaves the group, so its partitions move to the other workers at once."""
from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError

import orders

args = orders.worker_arguments(__doc__)
worker = orders.Worker(args)


class PrintRebalances(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        worker.revoked(tp.partition for tp in revoked)

    def on_partitions_assigned(self, assigned):
        worker.assigned(tp.partition for tp in assigned)


consumer = KafkaConsumer(
    bootstrap_servers=args.bootstrap_servers,
    group_id=args.group,
    # Tells the workers apart from other clients in 'rill group describe'.
    client_id="order-worker-kafka-python",
    # Offsets are committed by the loop below, after each order is processed, never before.
    enable_auto_commit=False,
    # A group that has committed nothing yet starts at the oldest order, not only at orders produced from now on.
    auto_offset_reset="earliest",
)
consumer.subscribe([args.topic], listener=PrintRebalances())

while (reason := worker.stop_reason()) is None:
    # One record at a time (kafka-python still fetches in batches and buffers them), so that a stop request or
    # --max-orders takes effect between two orders; the short timeout notices them and the idle timeout quickly.
    for partition_records in consumer.poll(timeout_ms=200, max_records=1).values():
        for record in partition_records:
            worker.process(record.partition, record.offset, record.value)
            try:
                # Commits offset + 1 of this partition: the next order the group will read there.
                consumer.commit({TopicPartition(record.topic, record.partition): OffsetAndMetadata(record.offset + 1, None)})
            except KafkaError as error:
                worker.commit_failed(record.partition, record.offset, error)

# Every processed order is committed already, so what is left is to leave the group: close() tells the
# coordinator, which hands the partitions to the remaining workers at once instead of after the session timeout.
consumer.close()
worker.done(reason)
