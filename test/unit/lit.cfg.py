# Runs the GoogleTest binaries (names ending in "Tests") one test per lit test.
import lit.formats

config.name = "qc-unit"
config.suffixes = []
config.test_source_root = config.qc_unit_bin_dir
config.test_exec_root = config.qc_unit_bin_dir
config.test_format = lit.formats.GoogleTest(".", "Tests")
