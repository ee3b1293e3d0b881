# Shorthands for the scripts in scripts/; the README's two commands work
# without make.
.PHONY: all run test build docs clean
all: build
run:
	bash scripts/demo.sh
test:
	bash scripts/test.sh
build:
	bash scripts/setup.sh && bash scripts/build.sh
docs: build
	bash scripts/build.sh qc-docs
clean:
	rm -rf build
