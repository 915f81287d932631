# Surge build. `make` builds build/surge-server; `make test` runs every test;
# `make run` starts the server on 127.0.0.1:6379 in the foreground.

CC      ?= cc
OPT     ?= -O2
BUILD   ?= build
SAN     ?=
PKGS    := libuv jemalloc hiredis libcjson libcrypto
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter \
           -g $(OPT) $(SAN) -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs libuv jemalloc libcjson libcrypto 2>/dev/null) -lm -lpthread
TEST_LDLIBS := $(LDLIBS) $(shell pkg-config --libs hiredis 2>/dev/null)

CORE_SRCS  := $(sort $(wildcard protocol/*.c server/*.c persistence/*.c replication/*.c))
CORE_SRCS  := $(filter-out server/main.c,$(CORE_SRCS))
CORE_OBJS  := $(CORE_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
INTEG_SRCS := $(sort $(wildcard tests/integration/*.c))
INTEG_OBJS := $(INTEG_SRCS:%.c=$(BUILD)/%.o)
TOOL_SRCS  := $(sort $(wildcard tools/*.c))
TOOL_BINS  := $(TOOL_SRCS:tools/%.c=$(BUILD)/%)
FLASH_SRCS := $(sort $(wildcard tools/flashsale/*.c))
FLASH_OBJS := $(FLASH_SRCS:%.c=$(BUILD)/%.o)

# libsurge, the client library (client/): hiredis and cJSON only, never
# server/. Built with hidden visibility: only the surge_* names of
# client/surge.h are exported from the shared library.
CLIENT_SRCS   := $(sort $(wildcard client/*.c))
CLIENT_OBJS   := $(CLIENT_SRCS:%.c=$(BUILD)/%.o)
CLIENT_LDLIBS := $(shell pkg-config --libs hiredis libcjson 2>/dev/null) -lpthread
EXAMPLE_SRCS  := $(sort $(wildcard examples/*.c))
EXAMPLE_BINS  := $(EXAMPLE_SRCS:examples/%.c=$(BUILD)/examples/%)
CLIENT_TSRCS  := $(filter-out tests/client/unit.c,$(sort $(wildcard tests/client/*.c)))
CLIENT_TOBJS  := $(CLIENT_TSRCS:%.c=$(BUILD)/%.o) $(BUILD)/tests/integration/harness.o
CLIENT_TESTS  := $(BUILD)/tests/client-unit $(BUILD)/tests/client-integ
SURGE_VERSION := 0.1.0
SURGE_SOMAJOR := 0
PREFIX  ?= /usr/local
DESTDIR ?=
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include

.PHONY: all deps run test unit integration asan clients digest checkaof persistence replication \
	microcache twemproxy compat compat-check clean client libclient install FORCE flashsale
all: $(BUILD)/surge-server $(TOOL_BINS) client $(BUILD)/flashsale

deps:
	@sh tools/install-deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libsurge-core.a: $(CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/surge-server: $(BUILD)/server/main.o $(BUILD)/libsurge-core.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/libsurge-core.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/integration-run: $(INTEG_OBJS) $(BUILD)/libsurge-core.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(TEST_LDLIBS)

$(BUILD)/%: $(BUILD)/tools/%.o $(BUILD)/libsurge-core.a
	$(CC) $(CFLAGS) -o $@ $^ $(TEST_LDLIBS)

# The flash-sale simulator (tools/flashsale/): protocol/ for its origin,
# libsurge for the lease way.
$(BUILD)/flashsale: $(FLASH_OBJS) $(BUILD)/libsurge-core.a $(BUILD)/libsurge.a
	$(CC) $(CFLAGS) -o $@ $^ $(TEST_LDLIBS) $(CLIENT_LDLIBS)

$(BUILD)/client/%.o: CFLAGS += -fPIC -fvisibility=hidden
$(BUILD)/examples/%.o: CFLAGS += -Iclient

$(BUILD)/libsurge.a: $(CLIENT_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libsurge.so: $(CLIENT_OBJS)
	$(CC) $(CFLAGS) -shared -Wl,-soname,libsurge.so.$(SURGE_SOMAJOR) -o $@ $^ $(CLIENT_LDLIBS)

# The pkg-config file carries the install prefix: rewritten when it changes.
$(BUILD)/surge.pc: client/surge.pc.in FORCE
	@mkdir -p $(dir $@)
	@sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCDIR@|$(INCDIR)|' \
	    -e 's|@VERSION@|$(SURGE_VERSION)|' $< > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv -f $@.tmp $@

.SECONDARY: $(EXAMPLE_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/examples/%: $(BUILD)/examples/%.o $(BUILD)/libsurge.a
	$(CC) $(CFLAGS) -o $@ $^ $(CLIENT_LDLIBS)

$(BUILD)/tests/client-unit: $(BUILD)/tests/client/unit.o $(BUILD)/libsurge.a
	$(CC) $(CFLAGS) -o $@ $^ $(CLIENT_LDLIBS)

$(BUILD)/tests/client-integ: $(CLIENT_TOBJS) $(BUILD)/libsurge.a
	$(CC) $(CFLAGS) -o $@ $^ $(CLIENT_LDLIBS)

client: $(BUILD)/libsurge.a $(BUILD)/libsurge.so $(BUILD)/surge.pc $(EXAMPLE_BINS)

# make install PREFIX=/usr/local DESTDIR=: header, both libraries, surge.pc.
install: $(BUILD)/libsurge.a $(BUILD)/libsurge.so $(BUILD)/surge.pc
	install -d $(DESTDIR)$(INCDIR) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 client/surge.h $(DESTDIR)$(INCDIR)/surge.h
	install -m 644 $(BUILD)/libsurge.a $(DESTDIR)$(LIBDIR)/libsurge.a
	install -m 755 $(BUILD)/libsurge.so $(DESTDIR)$(LIBDIR)/libsurge.so.$(SURGE_VERSION)
	ln -sf libsurge.so.$(SURGE_VERSION) $(DESTDIR)$(LIBDIR)/libsurge.so.$(SURGE_SOMAJOR)
	ln -sf libsurge.so.$(SURGE_SOMAJOR) $(DESTDIR)$(LIBDIR)/libsurge.so
	install -m 644 $(BUILD)/surge.pc $(DESTDIR)$(LIBDIR)/pkgconfig/surge.pc

run: deps
	@$(MAKE) --no-print-directory all
	./$(BUILD)/surge-server --bind 127.0.0.1 --port 6379

unit: $(UNIT_BINS)
	@sh tests/run-all.sh unit $(UNIT_BINS)

integration: $(BUILD)/surge-server $(BUILD)/tests/integration-run
	@sh tests/run-all.sh integration $(BUILD)/tests/integration-run

clients: $(BUILD)/surge-server
	@sh tests/run-all.sh clients tests/clients.sh

# DEBUG DIGEST / DIGEST-VALUE compared with Debian's redis-server.
digest: $(BUILD)/surge-server
	@SURGE_SERVER=$(BUILD)/surge-server sh tests/run-all.sh digest tests/digest.sh

checkaof: $(BUILD)/surge-check-aof
	@SURGE_CHECK_AOF=$(BUILD)/surge-check-aof sh tests/run-all.sh checkaof tests/check_aof.sh

# Durability: restarts, rewrites, crashes, damaged files, redis-server interop.
persistence: $(BUILD)/surge-server
	@SURGE_SERVER=$(BUILD)/surge-server sh tests/run-all.sh persistence tests/persistence.py

# Replication: replicas, resyncs, WAIT, promotion, redis-sentinel failover.
replication: $(BUILD)/surge-server
	@SURGE_SERVER=$(BUILD)/surge-server sh tests/run-all.sh replication tests/replication.py

# Surge's own commands (CL.THROTTLE, INV.*), maxmemory eviction, and DIGEST
# against Debian's libxxhash.
microcache: $(BUILD)/surge-server
	@SURGE_SERVER=$(BUILD)/surge-server sh tests/run-all.sh microcache tests/surgecmds.py tests/cachepolicy.py \
	    tests/eviction.py tests/digestcmd.py

# libsurge: pure parts, get-or-load against surge-server and redis-server,
# the examples' output, and an install linked through pkg-config.
libclient: $(BUILD)/surge-server $(CLIENT_TESTS) client
	@SURGE_SERVER=$(BUILD)/surge-server SURGE_EXAMPLES=$(BUILD)/examples \
	    sh tests/run-all.sh libclient $(CLIENT_TESTS) tests/client/install.sh

# A short flash-sale run (tools/flashsale) and checks of its report.
flashsale: $(BUILD)/surge-server $(BUILD)/flashsale
	@FLASHSALE=$(BUILD)/flashsale SURGE_SERVER=$(BUILD)/surge-server \
	    sh tests/run-all.sh flashsale tests/flashsale.sh

# Debian's nutcracker (twemproxy) sharding across three servers.
twemproxy: $(BUILD)/surge-server
	@SURGE_SERVER=$(BUILD)/surge-server sh tests/run-all.sh twemproxy tests/twemproxy.sh

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    build-asan/surge-server build-asan/tests/integration-run $(UNIT_BINS:$(BUILD)/%=build-asan/%) \
	    build-asan/surge-check-aof $(CLIENT_TESTS:$(BUILD)/%=build-asan/%) \
	    $(EXAMPLE_BINS:$(BUILD)/%=build-asan/%)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    SURGE_SERVER=build-asan/surge-server SURGE_CHECK_AOF=build-asan/surge-check-aof \
	    SURGE_EXAMPLES=build-asan/examples sh tests/run-all.sh asan \
	    $(UNIT_BINS:$(BUILD)/%=build-asan/%) build-asan/tests/integration-run tests/check_aof.sh \
	    $(CLIENT_TESTS:$(BUILD)/%=build-asan/%) \
	    tests/persistence.py tests/replication.py tests/surgecmds.py tests/cachepolicy.py \
	    tests/eviction.py tests/digestcmd.py

# Everything: deps, warning-free build, unit, integration, real clients,
# digests against redis-server, durability, twemproxy, sanitizers. Every
# suite runs even if one fails; the last line is the total.
TALLY := $(BUILD)/test-tally
test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS) $(BUILD)/tests/integration-run
	@$(MAKE) --no-print-directory compat-check
	@rm -f $(TALLY)
	@for s in unit integration clients digest checkaof persistence replication microcache twemproxy \
	    libclient flashsale asan; do \
	    TEST_TALLY=$(CURDIR)/$(TALLY) $(MAKE) --no-print-directory $$s || echo "0 0 1" >> $(TALLY); \
	done
	@awk '{p += $$1; f += $$2; bad += $$3} END {printf "total: %d passed, %d failed\n", p, f; \
	    exit (f > 0 || bad > 0)}' $(TALLY)

compat: $(BUILD)/gen-compat
	./$(BUILD)/gen-compat tools/redis7-commands.txt > redis-compat.md

# redis-compat.md must match the command table.
compat-check: $(BUILD)/gen-compat
	@./$(BUILD)/gen-compat tools/redis7-commands.txt | cmp -s - redis-compat.md || \
	    { echo "redis-compat.md is stale: run 'make compat'"; exit 1; }

FORCE:

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD) build-asan -name '*.d' 2>/dev/null)
