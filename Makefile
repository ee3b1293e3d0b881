# Shorthands for the scripts in scripts/; the README's two commands work
# without make.
.PHONY: all run test build docs conformance-update clean
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
conformance-update: build
	.venv/bin/python test/conformance/import_sweep.py build/bin/qc-compile \
	  --status test/conformance/import-status.txt --update
clean:
	rm -rf build
