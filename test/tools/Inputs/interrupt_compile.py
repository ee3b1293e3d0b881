"""Starts qc-compile with its temporary folder in TMP, sends SIGTERM (or
the signal given) while a temporary file of the compile exists, and prints
what is left in TMP and next to the output. Exits 1 when the compile ended
before a temporary file showed (nothing was interrupted).

usage: interrupt_compile.py QC_COMPILE TMP OUT.so MODEL [SIGNAL]"""
import os
import signal
import subprocess
import sys
import time

qc_compile, tmp, out, model = sys.argv[1:5]
sig = getattr(signal, sys.argv[5]) if len(sys.argv) > 5 else signal.SIGTERM
os.makedirs(tmp, exist_ok=True)
env = dict(os.environ, TMPDIR=tmp)
p = subprocess.Popen([qc_compile, model, "-o", out], env=env,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
deadline = time.time() + 120
while p.poll() is None and time.time() < deadline and not os.listdir(tmp):
    time.sleep(0.005)
if p.poll() is not None:
    sys.exit("the compile ended before any temporary file showed")
p.send_signal(sig)
rc = p.wait()
print("exit", rc)
folder = os.path.dirname(os.path.abspath(out))
left = sorted(os.listdir(tmp)) + sorted(f for f in os.listdir(folder)
                                        if f.startswith(os.path.basename(out)))
print("left:", " ".join(left) if left else "nothing")
