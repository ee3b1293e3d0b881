# Shorthands for the scripts in scripts/; the README's two commands work
# without make.
.PHONY: all run test build docs fuzz conformance-update bench bench-quant clean
all: build
run:
	bash scripts/demo.sh
test:
	bash scripts/test.sh
build:
	bash scripts/setup.sh && bash scripts/build.sh
docs: build
	bash scripts/build.sh qc-docs
	build/bin/qc-compile --print-supported-ops > docs/onnx-ops.md
FUZZ_SECONDS ?= 300
fuzz: build
	bash scripts/build.sh qc-onnx-import-fuzzer
	mkdir -p build/fuzz/corpus build/fuzz/seeds
	for d in /usr/share/libonnx-testdata/data/node/*/; do cp $$d/model.onnx build/fuzz/seeds/$$(basename $$d).onnx; done
	cd build/fuzz && ../bin/qc-onnx-import-fuzzer corpus seeds ../../test/fuzz/regressions \
	  -max_total_time=$(FUZZ_SECONDS) -timeout=30 -rss_limit_mb=4096
conformance-update: build
	.venv/bin/python test/conformance/import_sweep.py build/bin/qc-compile \
	  --status test/conformance/import-status.txt --update
	.venv/bin/python test/conformance/conformance_run.py build/bin \
	  --imported test/conformance/import-status.txt \
	  --exceptions test/conformance/exceptions.txt --table docs/conformance.md
bench: build
	bash scripts/build.sh qc-compile qcrt
	.venv/bin/python bench/run_bench.py
bench-quant: build
	bash scripts/build.sh qc-compile qcrt qc-kernel-bench
	.venv/bin/python bench/run_quant_bench.py
clean:
	rm -rf build
