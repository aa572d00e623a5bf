# Stream Events. `make demo` and `make test` do all set-up on a fresh Debian 12
# machine (run as root, or with the packages below already installed).

SWIFT      ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
BUILD_DIR  := .build
LIB        := $(BUILD_DIR)/release/libeventlog.so
FFI_HEADER := php-bridge/ffi/eventlog.h
PORT       ?= 8080
# The demo's store: sqlite (var/demo.sqlite) or mariadb (a private server of its own).
ENGINE     ?= sqlite
# One Swift build at a time on this machine (two cores): every swift invocation takes this lock.
SWIFT_LOCK := flock /tmp/stream-events-swift.lock

# Everything the build, the tests and the demo need from Debian and PyPI.
APT_PACKAGES := libsqlite3-dev sqlite3 php8.2-cli php8.2-sqlite3 php8.2-cgi php8.2-fpm \
                phpunit icecast2 liquidsoap ffmpeg nginx libnginx-mod-rtmp chromium chromium-driver valgrind \
                e2fsprogs curl strace \
                mariadb-server mariadb-client galera-4 libmariadb-dev php8.2-mysql rsync iproute2
PIP_PACKAGES := selenium openapi-spec-validator jsonschema PyYAML
# The browser suite's accessibility judge: axe-selenium-python 3 bundles axe-core 4 (the WCAG 2.1
# rules; 2.x bundles axe-core 3). It asks for Python 3.12 but is plain Python that runs on Debian 12's 3.11.
PIP_AXE      := axe-selenium-python>=3

LINK_FLAGS    := -c release --product eventlog -Xswiftc -static-stdlib \
                 -Xlinker -z -Xlinker nodelete \
                 -Xlinker --version-script=$(CURDIR)/Sources/CEventLog/exports.map
RELEASE_FLAGS := $(LINK_FLAGS) -Xlinker -s
# The same objects linked with their symbols, for profiles (bench/profile.sh).
PROFILE_LIB   := var/profile/libeventlog.so

.PHONY: all deps build ffi-header test test-swift test-c test-php test-hooks test-ui test-reliability \
        test-mariadb-harness demo bench profile-lib stress clean

all: build

# Installs missing Debian and PyPI packages; a no-op when all are there. No service is
# started by the install (policy-rc.d answers 101 meanwhile): the tests and the demo start
# their own servers (MariaDB, nginx, Icecast) in their own folders and ports.
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  own_policy=; [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; own_policy=1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  rc=$$?; [ -z "$$own_policy" ] || rm -f /usr/sbin/policy-rc.d; exit $$rc; \
	fi
	@python3 -c 'import selenium, openapi_spec_validator, jsonschema, yaml' 2>/dev/null || \
	  python3 -m pip install -q $(PIP_PACKAGES)
	@python3 -c 'import importlib.metadata as m; assert int(m.version("axe-selenium-python").split(".")[0]) >= 3' 2>/dev/null || \
	  python3 -m pip install -q --ignore-requires-python '$(PIP_AXE)'

build: $(LIB) ffi-header

$(LIB): Package.swift include/eventlog.h Sources/CEventLog/exports.map $(shell find Sources -name '*.swift' -o -name '*.h' -o -name '*.c' -o -name '*.modulemap')
	$(SWIFT_LOCK) $(SWIFT) build $(RELEASE_FLAGS)
	@touch $@

# PHP's FFI::cdef() cannot preprocess: the bridge loads this generated copy.
ffi-header: $(FFI_HEADER)
$(FFI_HEADER): include/eventlog.h
	@mkdir -p $(dir $@)
	{ echo '/* Generated from include/eventlog.h by `make ffi-header` (cpp -P -DEL_FFI_CDEF). Do not edit. */'; \
	  cpp -P -DEL_FFI_CDEF include/eventlog.h; } > $@

test: deps build
	$(MAKE) test-swift test-c test-php test-hooks test-ui test-reliability

test-swift:
	$(SWIFT_LOCK) $(SWIFT) test

test-c: $(LIB)
	Tests/c/run.sh $(LIB)

test-php: $(LIB)
	php-bridge/tests/run.sh

test-hooks: $(LIB)
	php-bridge/tests/hooks/run.sh

test-ui: $(LIB)
	php-bridge/tests/ui/run.sh

# Quick versions of the load, crash, fault, fuzz and access tests; `make stress` runs the long ones.
test-reliability: $(LIB)
	Tests/reliability/run.sh quick

# The private MariaDB servers and Galera cluster the MariaDB suites run on (Tests/mariadb); no build.
test-mariadb-harness:
	Tests/mariadb/selftest.sh

demo: deps build
	PORT=$(PORT) ENGINE=$(ENGINE) php-bridge/demo/run.sh

# MODE=quick (1M events, a few minutes; the default) or MODE=full (10M events); MODE=live and
# MODE=prune look at one thing closely (bench/run.sh says what each does).
# ENGINE=mariadb: the same sizes on a private MariaDB server, against a PDO pdo_mysql peer
# (and MODE=drop, MODE=pages or MODE=fold).
bench: deps build
	bench/run.sh $(if $(filter mariadb,$(ENGINE)),mariadb) $(or $(MODE),quick)

# Relinks the release objects without -s into $(PROFILE_LIB), then relinks the stripped
# library again, so the shipped build is left as it was.
profile-lib: build
	@mkdir -p $(dir $(PROFILE_LIB))
	$(SWIFT_LOCK) $(SWIFT) build $(LINK_FLAGS)
	cp $(LIB) $(PROFILE_LIB)
	$(SWIFT_LOCK) $(SWIFT) build $(RELEASE_FLAGS)
	@touch $(LIB)

stress: deps build
	Tests/reliability/run.sh long

clean:
	rm -rf $(BUILD_DIR) build var
