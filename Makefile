# Shorthands for the scripts in scripts/; the README's two commands work
# without make.
.PHONY: all run test build docs fuzz conformance-update bench bench-quant bench-smollm2 clean
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
# SmolLM2-135M perplexity per quantization config (~1.5 h on 2 cores: calibration ~27 min, each config ~7 min): the model
# from examples/smollm2/build_smollm2.py, calibrated once, each config by qc-opt.
bench-smollm2: build
	bash scripts/build.sh qc-compile qc-opt qcrt
	test -f ~/.cache/qc/smollm2/smollm2-135m.onnx || .venv/bin/python examples/smollm2/build_smollm2.py
	.venv/bin/python bench/run_smollm2_bench.py --float --configs all --ort int8-dynamic,int4-rtn
clean:
	rm -rf build
