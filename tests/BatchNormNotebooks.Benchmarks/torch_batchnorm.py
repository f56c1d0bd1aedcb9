"""PyTorch side of the benchmark table: the same shapes and the same MLP step, float32, on 2 threads and on 1.
Prints one JSON object: milliseconds per call (median of repeated timed batches), and which BLAS PyTorch runs on.
Run with /usr/bin/python3.

Debian's python3-torch is built with BLAS_INFO=generic: it calls whatever libblas.so.3 the machine provides. Without
OpenBLAS that is the reference (netlib) BLAS, about 12x slower for the MLP's products, which makes PyTorch look slow
rather than us fast. The benchmark therefore reports the loaded library and refuses to compare against the reference
BLAS (install libopenblas0-pthread)."""
import ctypes, json, os, time, statistics, sys
import torch

torch.set_num_threads(2)   # OpenBLAS's pool too, below, once the BLAS is found
torch.manual_seed(0)

def timeit(fn, min_seconds=0.5, hold=True):
    """Median ms per call. With hold (the default) each call's result is held until the next call has returned, as
    BenchmarkDotNet holds ours (its consumer keeps the last result in a field) and as a notebook's `y = bn(x)` does, so
    the next call cannot write its output into the block the last one just used. hold=False drops each result at once
    (the protocol before 2026-12-05), which lets the allocator hand that block straight back."""
    if not hold:
        inner = fn
        def fn(): inner()   # the result is dropped before the call returns
    last = None
    for _ in range(3):
        last = fn()
    runs, samples = 1, []
    while True:
        t = time.perf_counter(); last = fn(); dt = time.perf_counter() - t
        if dt * 10 > min_seconds or runs > 1000:
            break
        runs += 1
    per_batch = max(1, int(min_seconds / max(dt, 1e-6) / 10))
    for _ in range(10):
        t = time.perf_counter()
        for _ in range(per_batch):
            last = fn()
        samples.append((time.perf_counter() - t) / per_batch)
    del last
    return statistics.median(samples) * 1000

def blas():
    """(BLAS_INFO from torch.__config__.show(), the file that provides sgemm_ in this process, every BLAS-like file mapped)."""
    torch.randn(8, 8) @ torch.randn(8, 8)  # make sure the BLAS is loaded
    info = next((part.split("=", 1)[1] for line in torch.__config__.show().splitlines()
                 for part in line.replace(",", " ").split() if part.startswith("BLAS_INFO=")), "?")
    maps = [line.split() for line in open("/proc/self/maps")]
    maps = [(int(m[0].split("-")[0], 16), int(m[0].split("-")[1], 16), m[5]) for m in maps if len(m) >= 6 and m[5].startswith("/")]
    mapped = sorted({path for _, _, path in maps if any(k in os.path.basename(path).lower() for k in ("blas", "mkl", "blis"))})
    # The generic build calls sgemm_, resolved in libtorch_cpu's dependency scope; the file holding that address is the
    # BLAS it runs on. (Debian's OpenBLAS LAPACK may be mapped even when libblas.so.3 is the reference BLAS, so "is
    # OpenBLAS mapped" is not enough.)
    torch_cpu = next(path for _, _, path in maps if os.path.basename(path).startswith("libtorch_cpu.so"))
    addr = ctypes.cast(ctypes.CDLL(torch_cpu).sgemm_, ctypes.c_void_p).value
    provider = next((path for lo, hi, path in maps if lo <= addr < hi), "?")
    return info, os.path.realpath(provider), mapped

blas_info, blas_provider, blas_mapped = blas()
# The reference BLAS is Debian's /usr/lib/<arch>/blas/libblas.so.3 (package libblas3); OpenBLAS, MKL and BLIS name themselves.
reference = not any(k in blas_provider.lower() for k in ("openblas", "mkl", "blis"))
out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas_info": blas_info, "blas_sgemm_from": blas_provider, "blas_mapped": blas_mapped,
       "reference_blas": reference}
print(f"PyTorch {torch.__version__}: BLAS_INFO={blas_info}, sgemm_ from {blas_provider} (mapped: {', '.join(blas_mapped)})"
      + (" -- the reference BLAS: no PyTorch column (apt-get install libopenblas0-pthread)" if reference else ""), file=sys.stderr)
if reference:
    print(json.dumps(out))  # no timings: a comparison against the reference BLAS would mislead
    sys.exit(0)

def openblas_threads_api():
    """(openblas_set_num_threads, openblas_get_num_threads) of the OpenBLAS this process runs on, or None."""
    for path in [blas_provider] + [p for p in blas_mapped if "openblas" in os.path.basename(p).lower()]:
        try:
            lib = ctypes.CDLL(path)
            return lib.openblas_set_num_threads, lib.openblas_get_num_threads
        except (OSError, AttributeError):
            continue
    return None

blas_threads = openblas_threads_api()

def set_threads(n):
    """n threads for torch's own kernels and for OpenBLAS's pool. torch.set_num_threads does not reach the pthread
    OpenBLAS installed here (openblas_get_num_threads() stays at one thread per core after it), which keeps its own
    pool beside torch's OpenMP one. Returns OpenBLAS's thread count after."""
    torch.set_num_threads(n)
    if blas_threads is None:
        return None
    blas_threads[0](n)
    return blas_threads[1]()

out["blas_threads"] = set_threads(2)
def batchnorm(suffix):
    """BatchNorm1d train forward+backward and eval forward at every shape, into fwd_bwd_ms<suffix> and eval_ms<suffix>."""
    out["fwd_bwd_ms" + suffix], out["eval_ms" + suffix], out["eval_ms_dropped" + suffix] = {}, {}, {}
    for shape in sys.argv[1:] or ["256x256", "4096x1024", "65536x256"]:
        n, c = map(int, shape.split("x"))
        x = (torch.randn(n, c) * 2 + 3).requires_grad_(True)
        dy = torch.randn(n, c)
        bn = torch.nn.BatchNorm1d(c)
        def fwd_bwd():
            x.grad = None; bn.weight.grad = None; bn.bias.grad = None
            bn(x).backward(dy)
        out["fwd_bwd_ms" + suffix][shape] = timeit(fwd_bwd)
        bn.eval()
        with torch.no_grad():
            xe = x.detach()
            out["eval_ms" + suffix][shape] = timeit(lambda: bn(xe))
            out["eval_ms_dropped" + suffix][shape] = timeit(lambda: bn(xe), hold=False)

batchnorm("")

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
# One thread as well: on this 2-core machine PyTorch's two-thread runs are sometimes many times slower than its
# one-thread runs, so a fair verdict compares with the faster of the two.
out["blas_threads_1thread"] = set_threads(1)
out["mlp_step_ms_1thread"] = {"bn": mlp(True), "plain": mlp(False)}
batchnorm("_1thread")
if blas_threads is not None:
    # torch on one thread, OpenBLAS's products on two: what the one-thread column measured before OpenBLAS's pool was
    # set, and often PyTorch's fastest MLP step on this machine. The table compares with the fastest of the three.
    blas_threads[0](2)
    out["blas_threads_mixed"] = blas_threads[1]()
    out["mlp_step_ms_mixed"] = {"bn": mlp(True), "plain": mlp(False)}
print(json.dumps(out))
