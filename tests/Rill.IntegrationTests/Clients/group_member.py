"""One member of a consumer group, for the order-processing tests, with either Debian Python client.

usage: group_member.py (kafka-python|confluent) BOOTSTRAP TOPIC GROUP IDLE_SECONDS [earliest|latest]

Subscribes, processes each record, commits it synchronously right after (manual commits), and prints one
JSON object per line as things happen: assigned partitions, each record, each commit. Exits after
IDLE_SECONDS without records, or when killed. stdout is flushed after every line so a test can follow along.
"""
import json
import sys
import time

lib, bootstrap, topic, group, idle = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
reset = sys.argv[6] if len(sys.argv) > 6 else "earliest"


def say(**event):
    print(json.dumps(event), flush=True)


def run_kafka_python():
    from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition
    from kafka.consumer.subscription_state import ConsumerRebalanceListener

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            say(event="revoked", partitions=sorted(tp.partition for tp in revoked))

        def on_partitions_assigned(self, assigned):
            say(event="assigned", partitions=sorted(tp.partition for tp in assigned))

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset=reset,
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
    )
    consumer.subscribe([topic], listener=Listener())
    last = time.time()
    while time.time() - last < idle:
        batches = consumer.poll(timeout_ms=200)
        for tp, records in batches.items():
            for record in records:
                say(event="record", partition=tp.partition, offset=record.offset,
                    key=record.key.decode(), value=record.value.decode())
                consumer.commit({tp: OffsetAndMetadata(record.offset + 1, "")})
                say(event="committed", partition=tp.partition, offset=record.offset + 1)
                last = time.time()
    consumer.close()


def run_confluent():
    from confluent_kafka import Consumer, TopicPartition

    def on_assign(consumer, partitions):
        say(event="assigned", partitions=sorted(p.partition for p in partitions))

    def on_revoke(consumer, partitions):
        say(event="revoked", partitions=sorted(p.partition for p in partitions))

    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "enable.auto.commit": False,
        "auto.offset.reset": reset,
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 1000,
    })
    consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    last = time.time()
    while time.time() - last < idle:
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            say(event="error", error=str(msg.error()))
            continue
        say(event="record", partition=msg.partition(), offset=msg.offset(),
            key=msg.key().decode(), value=msg.value().decode())
        consumer.commit(offsets=[TopicPartition(topic, msg.partition(), msg.offset() + 1)], asynchronous=False)
        say(event="committed", partition=msg.partition(), offset=msg.offset() + 1)
        last = time.time()
    consumer.close()


if lib == "kafka-python":
    run_kafka_python()
else:
    run_confluent()
say(event="done")
