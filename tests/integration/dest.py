"""dest.py N, the network tests' command (45-run-net-observer.sh,
49-run-outside-route.sh): the outside destinations first (each distinct
one early, while the process surely runs), then N loopback datagrams and N
loopback TCP connections of its own, then 4 threads x 2,500 datagrams to
one outside address. Every outside address is only ever used inside
leastpriv's own network namespace, which has no route out."""
import socket, sys, threading
from refused import refused
n = int(sys.argv[1])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
# Not port 53: DNS queries go to the trap (48-run-dns-trap.sh).
for _ in range(7):
    refused(lambda: u.sendto(b"q", ("192.0.2.1", 5300)))
for _ in range(3):
    t = socket.socket()
    refused(lambda: t.connect(("192.0.2.1", 443)))
    t.close()
for _ in range(2):
    refused(lambda: u6.sendto(b"q", ("2001:db8::1", 5300)))
t6 = socket.socket(socket.AF_INET6)
refused(lambda: t6.connect(("2001:db8::2", 443)))
for _ in range(4):
    refused(lambda: u.sendmsg([b"q"], [], 0, ("192.0.2.1", 123)))
# The command's own loopback traffic: no finding, and no notification.
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind(("127.0.0.1", 0))
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(64)
l6 = socket.socket(socket.AF_INET6); l6.bind(("::", 0)); l6.listen(64)
for _ in range(n):
    u.sendto(b"x", r.getsockname())
    u.sendto(b"x", ("0.0.0.0", r.getsockname()[1]))
    c = socket.create_connection(l.getsockname()); l.accept()[0].close(); c.close()
    c = socket.create_connection(("::1", l6.getsockname()[1])); l6.accept()[0].close(); c.close()
    c = socket.socket(socket.AF_INET6)
    c.connect(("::ffff:127.0.0.1", l6.getsockname()[1])); l6.accept()[0].close(); c.close()
    c = socket.create_connection(("::", l6.getsockname()[1])); l6.accept()[0].close(); c.close()
def storm():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(2500):
        refused(lambda: s.sendto(b"s", ("198.51.100.7", 9)))
ts = [threading.Thread(target=storm) for _ in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
print("done")
