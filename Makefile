# edgebench: the two commands of README.md.
#   make run   installs dependencies, builds, runs the default characterization
#   make test  installs dependencies, builds, runs every test
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
EDGEBENCH := $(BUILD_DIR)/src/cli/edgebench

.PHONY: all deps configure build run test clean fuzz

all: build

deps:
	bash scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	bash scripts/characterize.sh $(EDGEBENCH)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

fuzz: deps
	bash scripts/fuzz.sh

clean:
	rm -rf $(BUILD_DIR)
