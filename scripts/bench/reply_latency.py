"""Time from POST /api/messages/receive to the reply showing in the customer's history.

Usage: reply_latency.py BASE_URL [COUNT]. Prints "p50_ms p95_ms max_ms".
"""
import json
import sys
import time
import urllib.request

base = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 50


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)


samples = []
for i in range(count):
    started = time.perf_counter()
    accepted = call("POST", "/api/messages/receive", {
        "channel": "chat",
        "content": "Hi, how much do you charge for a deep clean of a 3 bedroom house?",
        "customer": {"name": f"Latency {i}", "email": f"latency-{int(time.time())}-{i}@example.com"},
    })
    customer = accepted["customer_id"]
    while True:
        items = call("GET", f"/api/crm/customers/{customer}/history")["items"]
        if any(m["direction"] == "outbound" for m in items):
            break
        if time.perf_counter() - started > 10:
            sys.exit(f"no reply for message {i} within 10 s")
        time.sleep(0.002)
    samples.append((time.perf_counter() - started) * 1000)

samples.sort()
p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
print(f"{p(0.5):.1f} {p(0.95):.1f} {samples[-1]:.1f}")
