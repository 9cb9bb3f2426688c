"""confluent-kafka-python 1.7 (Debian's python3-confluent-kafka, librdkafka 2.0.2) against a broker.

Produces keyed, snappy-compressed records, reads them back by assignment, prints one JSON object.
"""
import json
import sys

from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])

acked = []
errors = []


def on_delivery(err, msg):
    if err is not None:
        errors.append(str(err))
    else:
        acked.append(msg.offset())


producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "compression.type": "snappy", "linger.ms": 5})
for i in range(count):
    producer.produce(topic, key=f"user-{i % 10}", value=f"order-{i}", partition=0, on_delivery=on_delivery)
producer.flush(30)

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "python-roundtrip", "enable.auto.commit": False})
consumer.assign([TopicPartition(topic, 0, 0)])
read = []
while len(read) < count:
    msg = consumer.poll(10.0)
    if msg is None:
        break
    if msg.error():
        errors.append(str(msg.error()))
        continue
    read.append({"offset": msg.offset(), "key": msg.key().decode(), "value": msg.value().decode()})
consumer.close()

print(json.dumps({"acked": sorted(acked), "read": read, "errors": errors}))
