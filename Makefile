# pgsift — PostgreSQL query performance analyzer.
#
#   make            build build/pgsift
#   make check      install missing deps, build, run every test against a throwaway Postgres 15
#   make demo       install missing deps, build, analyse the bundled example
#   make demo-safety a log of side effects analysed live: nothing changes (docs/safety.md)
#   make bench      benchmark against pgBadger (not a test; see docs/performance.md)
#   make bench-live live analysis of 5,000 distinct statements (docs/performance.md)
#   make bench-migration  lint a migration of 10,000 statements; the full gate on the demo shop
#   make fuzz       run the libFuzzer targets (FUZZ_SECONDS each, default 60)
#   make golden     write the HTML report's golden page again (tests/report/golden/)
#   make install PREFIX=/usr/local   the binary, the man page, bash and zsh completion, docs
#   make clean

CC       ?= cc
PREFIX   ?= /usr/local
BUILD    := build
VERSION  := 0.2.0
FUZZ_SECONDS ?= 60

WARN     := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow=local -Wformat=2 -Wvla
INCLUDES := -I. -I/usr/include/postgresql
DEFS     := -D_GNU_SOURCE -DPGSIFT_VERSION=\"$(VERSION)\" \
            -DPGSIFT_FIXTURES_DIR=\"$(CURDIR)/fixtures\" -DPGSIFT_BUILD_DIR=\"$(abspath $(BUILD))\" \
            -DPGSIFT_DOCS_DIR=\"$(CURDIR)/docs\" -DPGSIFT_SOURCE_DIR=\"$(CURDIR)\"
BASEFLAGS:= -std=gnu11 -g -pthread $(WARN) $(INCLUDES) $(DEFS)
CFLAGS   ?= -O2
# libpq and libcrypto are loaded when first needed (src/live/libpq_loader.h),
# not at every start; the test runner calls libpq itself, so it links it.
LIBS     := -lpg_query -lpcre2-8 -ljansson -lsqlite3 -lz -lbz2 -lzstd -lpthread -lm -ldl
TEST_LIBS:= -lcunit -lpq $(LIBS)

SAN_FLAGS:= -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

MAIN_SRC := src/cli/main.c
LIB_SRC  := $(filter-out $(MAIN_SRC),$(sort $(wildcard src/*/*.c parsers/*.c rules/*.c)))
TEST_SRC := $(sort $(wildcard tests/*.c tests/*/*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
TEST_SRC := $(filter-out $(FUZZ_SRC) tests/harness/%,$(TEST_SRC))

OBJ      := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))
TEST_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_SRC))
SAN_OBJ  := $(patsubst %.c,$(BUILD)/san/%.o,$(LIB_SRC))
SAN_TOBJ := $(patsubst %.c,$(BUILD)/san/%.o,$(TEST_SRC))

HARNESS  := tests/harness

# The version is compiled in (PGSIFT_VERSION): a new one rebuilds every object.
VERSION_STAMP := $(BUILD)/version-$(VERSION)

MANDIR   := $(PREFIX)/share/man/man1
BASHCOMPDIR := $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  := $(PREFIX)/share/zsh/site-functions

.PHONY: all check test unit deps demo demo-safety bench bench-live bench-migration fuzz golden install clean fixtures
all: $(BUILD)/pgsift

$(VERSION_STAMP):
	@mkdir -p $(BUILD)
	@rm -f $(BUILD)/version-*
	@touch $@

$(BUILD)/obj/%.o: %.c $(VERSION_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c $(VERSION_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(BUILD)/pgsift: $(OBJ) $(BUILD)/obj/$(MAIN_SRC:.c=.o)
	$(CC) $(BASEFLAGS) $(CFLAGS) $^ $(LIBS) -o $@

$(BUILD)/test_runner: $(OBJ) $(TEST_OBJ)
	$(CC) $(BASEFLAGS) $(CFLAGS) $^ $(TEST_LIBS) -o $@

$(BUILD)/san/pgsift: $(SAN_OBJ) $(BUILD)/san/$(MAIN_SRC:.c=.o)
	$(CC) $(BASEFLAGS) $(SAN_FLAGS) $^ $(LIBS) -o $@

$(BUILD)/san/test_runner: $(SAN_OBJ) $(SAN_TOBJ)
	$(CC) $(BASEFLAGS) $(SAN_FLAGS) $^ $(TEST_LIBS) -o $@

$(BUILD)/workload: $(HARNESS)/workload.c
	@mkdir -p $(BUILD)
	$(CC) $(BASEFLAGS) $(CFLAGS) $< -lpq -o $@

# Preloaded by tests/live/test_libpq_loader.c: a machine without libpq.
$(BUILD)/no-libpq.so: $(HARNESS)/no-libpq.c
	@mkdir -p $(BUILD)
	$(CC) $(WARN) $(CFLAGS) -shared -fPIC $< -ldl -o $@

$(BUILD)/demo-app: $(HARNESS)/demo-app.c
	@mkdir -p $(BUILD)
	$(CC) $(BASEFLAGS) $(CFLAGS) $< -lpq -o $@

deps:
	@$(HARNESS)/install-deps.sh

# The layering check (tests/harness/check-layers.sh), then the plain suite
# and the same suite and CLI under ASan+UBSan, all against one throwaway
# server that the harness always stops.
check: deps
	$(HARNESS)/check-layers.sh
	$(MAKE) $(BUILD)/pgsift $(BUILD)/test_runner $(BUILD)/san/pgsift $(BUILD)/san/test_runner $(BUILD)/workload \
		$(BUILD)/no-libpq.so
	$(HARNESS)/with-postgres.sh -- $(HARNESS)/run-tests.sh

# Unit tests only, no server (quick loop while developing).
unit: $(BUILD)/test_runner $(BUILD)/no-libpq.so
	$(BUILD)/test_runner

demo: deps
	$(MAKE) $(BUILD)/pgsift $(BUILD)/demo-app
	@PGSIFT_DEMO_BUILD=$(BUILD) $(HARNESS)/demo.sh

demo-safety: deps
	$(MAKE) $(BUILD)/pgsift
	@BUILD=$(BUILD) $(HARNESS)/with-postgres.sh -- $(HARNESS)/safety-demo.sh

bench: deps
	$(MAKE) $(BUILD)/pgsift $(BUILD)/workload
	$(HARNESS)/bench.sh

# Live analysis of 5,000 distinct statements (BENCH_JOBS=N for --jobs).
bench-live: deps
	$(MAKE) $(BUILD)/pgsift
	$(HARNESS)/bench-live.sh

bench-migration: deps
	$(MAKE) $(BUILD)/pgsift $(BUILD)/demo-app
	$(HARNESS)/bench-migration.sh
	$(HARNESS)/bench-gate.sh

fixtures: deps
	$(MAKE) $(BUILD)/workload
	$(HARNESS)/make-fixtures.sh
	$(HARNESS)/make-prefix-fixtures.sh

fuzz:
	@$(HARNESS)/fuzz.sh $(FUZZ_SECONDS)

# The golden HTML page of fixtures/workload.log, written by the test that
# compares it (docs/testing.md): for a change to the page that is meant.
golden: $(BUILD)/test_runner
	PGSIFT_UPDATE_GOLDEN=1 $(BUILD)/test_runner report/report_html

install: $(BUILD)/pgsift
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/doc/pgsift $(DESTDIR)$(MANDIR) \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BUILD)/pgsift $(DESTDIR)$(PREFIX)/bin/pgsift
	install -m 644 man/pgsift.1 $(DESTDIR)$(MANDIR)/pgsift.1
	install -m 644 completion/pgsift.bash $(DESTDIR)$(BASHCOMPDIR)/pgsift
	install -m 644 completion/_pgsift $(DESTDIR)$(ZSHCOMPDIR)/_pgsift
	cp -r docs/. $(DESTDIR)$(PREFIX)/share/doc/pgsift/

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
