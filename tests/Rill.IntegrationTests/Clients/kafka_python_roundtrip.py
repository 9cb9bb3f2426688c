"""kafka-python 2.0.2 (Debian's python3-kafka) against a broker: produce keyed, compressed records, read them back.

Prints one JSON object: what was acknowledged and what was read, for the test to compare.
"""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])

producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type="gzip", linger_ms=5)
futures = [producer.send(topic, key=f"user-{i % 10}".encode(), value=f"order-{i}".encode(), partition=0) for i in range(count)]
producer.flush()
acked = [f.get(timeout=30).offset for f in futures]
producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, consumer_timeout_ms=10000, enable_auto_commit=False)
tp = TopicPartition(topic, 0)
consumer.assign([tp])
consumer.seek_to_beginning(tp)
read = []
for record in consumer:
    read.append({"offset": record.offset, "key": record.key.decode(), "value": record.value.decode()})
    if len(read) == count:
        break
consumer.close()

print(json.dumps({"acked": acked, "read": read}))
