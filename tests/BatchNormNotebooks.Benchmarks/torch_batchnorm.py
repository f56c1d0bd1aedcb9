"""PyTorch side of the benchmark table: the same shapes and the same MLP step, float32, 2 threads.
Prints one JSON object: milliseconds per call (median of repeated timed batches). Run with /usr/bin/python3."""
import json, time, statistics, sys
import torch

torch.set_num_threads(2)
torch.manual_seed(0)

def timeit(fn, min_seconds=0.5):
    for _ in range(3):
        fn()
    runs, samples = 1, []
    while True:
        t = time.perf_counter(); fn(); dt = time.perf_counter() - t
        if dt * 10 > min_seconds or runs > 1000:
            break
        runs += 1
    per_batch = max(1, int(min_seconds / max(dt, 1e-6) / 10))
    for _ in range(10):
        t = time.perf_counter()
        for _ in range(per_batch):
            fn()
        samples.append((time.perf_counter() - t) / per_batch)
    return statistics.median(samples) * 1000

out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "fwd_bwd_ms": {}, "eval_ms": {}}
for shape in sys.argv[1:] or ["256x256", "4096x1024", "65536x256"]:
    n, c = map(int, shape.split("x"))
    x = (torch.randn(n, c) * 2 + 3).requires_grad_(True)
    dy = torch.randn(n, c)
    bn = torch.nn.BatchNorm1d(c)
    def fwd_bwd():
        x.grad = None; bn.weight.grad = None; bn.bias.grad = None
        bn(x).backward(dy)
    out["fwd_bwd_ms"][shape] = timeit(fwd_bwd)
    bn.eval()
    with torch.no_grad():
        xe = x.detach()
        out["eval_ms"][shape] = timeit(lambda: bn(xe))

def mlp(bn):
    layers = []
    for i, o in [(784, 100), (100, 100), (100, 100)]:
        layers += [torch.nn.Linear(i, o, bias=not bn)] + ([torch.nn.BatchNorm1d(o)] if bn else []) + [torch.nn.Sigmoid()]
    net = torch.nn.Sequential(*layers, torch.nn.Linear(100, 10))
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    xb, yb = torch.randn(60, 784), torch.arange(60) % 10
    lossf = torch.nn.CrossEntropyLoss()
    def step():
        opt.zero_grad(); lossf(net(xb), yb).backward(); opt.step()
    return timeit(step)

out["mlp_step_ms"] = {"bn": mlp(True), "plain": mlp(False)}
torch.set_num_threads(1)
out["mlp_step_ms_1thread"] = {"bn": mlp(True), "plain": mlp(False)}
print(json.dumps(out))
