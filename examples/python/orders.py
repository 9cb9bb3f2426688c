"""What the Python order examples share, whichever Kafka client they use: the order format, the command line,
and the worker's bookkeeping and output (one line per order, a summary at the end)."""
import argparse
import json
import random
import signal
import sys
import time

# Each line reaches a pipe or file at once, so whoever follows the output (a person, run-examples.sh) sees it live.
sys.stdout.reconfigure(line_buffering=True)


def new_order(order_id, users):
    """Order number order_id as (key, JSON value). The key is the user id: all of one user's orders go to the
    same partition and are processed in the order they were produced."""
    user_id = f"user-{order_id % users}"
    order = {"orderId": order_id, "userId": user_id, "amount": random.randint(100, 99_999) / 100}
    return user_id, json.dumps(order)


def parse_order(value):
    """The order in a record's value (bytes), or None when the value is not an order."""
    try:
        order = json.loads(value)
    except (TypeError, ValueError):
        return None
    is_order = (isinstance(order, dict) and isinstance(order.get("orderId"), int)
                and isinstance(order.get("userId"), str) and isinstance(order.get("amount"), (int, float)))
    return order if is_order else None


def positive(kind):
    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value
    return parse


def producer_arguments(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--bootstrap-servers", metavar="HOST:PORT", default="localhost:9092", help="brokers to connect to (default localhost:9092)")
    parser.add_argument("--topic", metavar="TOPIC", default="orders", help="topic to write to (default orders)")
    parser.add_argument("--count", metavar="N", type=positive(int), default=100, help="how many orders to produce (default 100)")
    parser.add_argument("--first-order-id", metavar="N", type=positive(int), default=1,
                        help="id of the first order; the others count up from it (default 1)")
    parser.add_argument("--users", metavar="N", type=positive(int), default=10, help="how many distinct users the orders belong to (default 10)")
    return parser.parse_args()


def order_ids(args):
    """The ids of the orders to produce; says which on the way."""
    last = args.first_order_id + args.count - 1
    print(f"producing orders {args.first_order_id}-{last} for {args.users} users to {args.topic} on {args.bootstrap_servers}")
    return range(args.first_order_id, last + 1)


def producer_summary(acknowledged_per_partition, count, topic):
    """The producer's last line, the same for every client."""
    acknowledged = sum(acknowledged_per_partition.values())
    per_partition = "".join(f", partition {p}: {n}" for p, n in sorted(acknowledged_per_partition.items()))
    print(f"produced {acknowledged} of {count} orders to {topic} (acks=all{per_partition})")
    return acknowledged


def worker_arguments(description):
    parser = argparse.ArgumentParser(description=description, epilog="Without a limit the worker runs until Ctrl-C or SIGTERM.")
    parser.add_argument("--bootstrap-servers", metavar="HOST:PORT", default="localhost:9092", help="brokers to connect to (default localhost:9092)")
    parser.add_argument("--topic", metavar="TOPIC", default="orders", help="topic to read (default orders)")
    parser.add_argument("--group", metavar="GROUP", default="order-processing-group", help="consumer group to join (default order-processing-group)")
    parser.add_argument("--max-orders", metavar="N", type=positive(int), help="stop after processing this many orders")
    parser.add_argument("--idle-timeout", metavar="SECONDS", type=positive(float), help="stop when no order has arrived for this many seconds since the worker joined the group or "
                             "processed its last order")
    return parser.parse_args()


class Worker:
    """A worker's bookkeeping and output, apart from the client calls: when to stop, and one line per event."""

    def __init__(self, args):
        self._max_orders = args.max_orders
        self._idle_timeout = args.idle_timeout
        self._stop_requested = False
        # --idle-timeout counts from the last assignment or order. It starts at the first assignment, not before:
        # joining a group can take longer than the timeout (a new group waits group.initial.rebalance.delay.ms, 3 s).
        self._quiet_since = None
        self.processed = 0
        # The first Ctrl-C or SIGTERM asks the loop to stop after the current order; the handlers go back to the
        # defaults, so a second one ends the process at once, for when the clean stop hangs.
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        print(f"worker reading {args.topic} in group {args.group} from {args.bootstrap_servers} (Ctrl-C to stop)")

    def _on_stop_signal(self, signum, frame):
        self._stop_requested = True
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def assigned(self, partitions):
        print(f"assigned partitions {sorted(partitions)}")
        self._quiet_since = time.monotonic()

    def revoked(self, partitions):
        # kafka-python also reports an empty revocation before the first assignment: nothing to say then.
        if revoked := sorted(partitions):
            print(f"revoked partitions {revoked}")

    def stop_reason(self):
        """Why the worker should stop now, or None to go on."""
        if self._stop_requested:
            return "interrupted"
        if self.processed == self._max_orders:
            return f"reached --max-orders {self._max_orders}"
        if self._idle_timeout is not None and self._quiet_since is not None \
                and time.monotonic() - self._quiet_since >= self._idle_timeout:
            return f"no order for {self._idle_timeout:g} s"
        return None

    def process(self, partition, offset, value):
        """Processes one record (here: prints it). A record that is not an order (say, plain text from the kcat
        quick start) is skipped; the caller commits it like any other, so no restart stumbles over it again."""
        where = f"partition {partition} at offset {offset}"
        order = parse_order(value)
        if order is None:
            print(f"skipped a record that is not an order at {where}", file=sys.stderr)
        else:
            print(f"processed order {order['orderId']} ({order['userId']}, {order['amount']:.2f}) from {where}")
            self.processed += 1
        self._quiet_since = time.monotonic()

    def commit_failed(self, partition, offset, error):
        # Typically a rebalance took the partition away meanwhile: its new owner resumes from the last commit.
        print(f"error: could not commit partition {partition} at offset {offset} ({error}); "
              "the new owner of the partition will process it again", file=sys.stderr)

    def done(self, reason):
        print(f"done: processed {self.processed} orders ({reason})")
