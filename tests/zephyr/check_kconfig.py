#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check vregion's zephyr/Kconfig with kconfiglib (the library Zephyr's own
build uses), as far as is possible without Zephyr:

  - it parses, and every configuration the module's tests and docs use
    (prj.conf, boards/*.conf, each testcase.yaml scenario, a SOF firmware,
    an application that carries SOF's headers without SOF) loads with no
    Kconfig warning (Zephyr aborts its build on those), giving the values
    the sources rely on (e.g. CONFIG_SOF_VREGIONS with CONFIG_VREGION_SOF);
  - vregion's definition of SOF_VREGIONS merges with a SOF-style one parsed
    before or after it;
  - every symbol the Kconfig references, and every CONFIG_* the Zephyr-side
    sources, the module's tests and docs/zephyr.md use, is defined by the
    Kconfig or is one of the Zephyr / SOF symbols listed in ZEPHYR_SYMS
    (each checked in Zephyr 4.3's or SOF's sources), so a misspelt or
    vanished symbol (a default on a symbol no SoC defines) fails here.

Exit 0 when every check passes, 1 with the failures listed, 77 (CTest's
skip) when kconfiglib is not installed (Debian: python3-kconfiglib).
"""
import os
import re
import sys
import tempfile

try:
    import kconfiglib
except ImportError:
    # pyenv and venv interpreters may not see Debian's dist-packages
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != \
            os.path.realpath("/usr/bin/python3") and not os.environ.get("VR_KCONFIG_REEXEC"):
        os.environ["VR_KCONFIG_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("kconfiglib not installed (python3-kconfiglib): skipped")
    sys.exit(77)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KCONFIG = os.path.join(ROOT, "zephyr", "Kconfig")
TESTDIR = os.path.join(ROOT, "zephyr", "tests", "vregion")

# Symbols of Zephyr 4.3 and SOF that vregion's Kconfig and sources use, with
# where they are defined. Stand-ins below give them the type they have there.
ZEPHYR_SYMS = {
    "LOG": "bool",                      # subsys/logging/Kconfig
    "ASSERT": "bool",                   # subsys/debug/Kconfig
    "SPIN_VALIDATE": "bool",            # subsys/debug/Kconfig (depends on ASSERT)
    "NONZERO_SPINLOCK_SIZE": "bool",    # kernel/Kconfig (include/zephyr/spinlock.h)
    "USERSPACE": "bool",                # arch/Kconfig
    "MMU": "bool",                      # arch/Kconfig (qemu_x86: X86_MMU selects it)
    "MMU_PAGE_SIZE": "hex",             # arch/Kconfig (include/vregion/config.h: the page size without MM_DRV)
    "LLEXT": "bool",                    # subsys/llext/Kconfig
    "MM_DRV": "bool",                   # drivers/mm/Kconfig
    "MM_DRV_PAGE_SIZE": "hex",          # drivers/mm/Kconfig
    "HEAP_MEM_POOL_SIZE": "int",        # kernel/Kconfig
    "CACHE_MANAGEMENT": "bool",         # arch/Kconfig (include/zephyr/cache.h)
    "DCACHE": "bool",                   # arch/Kconfig
    "CACHE_DOUBLEMAP": "bool",          # arch/Kconfig
    "DCACHE_LINE_SIZE": "int",          # arch/Kconfig; absent without d-cache-line-size
    "DCACHE_LINE_SIZE_DETECT": "bool",  # arch/Kconfig (include/zephyr/cache.h)
    "ZTEST": "bool",                    # subsys/testsuite/ztest/Kconfig
    "ZTEST_FATAL_HOOK": "bool",         # subsys/testsuite/ztest/Kconfig
    "ZTEST_STACK_SIZE": "int",          # subsys/testsuite/ztest/Kconfig
    "MAIN_STACK_SIZE": "int",           # kernel/Kconfig
    "SOC_FAMILY_INTEL_ADSP": "bool",    # soc/intel/intel_adsp/Kconfig.soc
    "SOC_SERIES_INTEL_ADSP_ACE": "bool",  # soc/intel/intel_adsp/ace/Kconfig.soc
    "SOF": "bool",                      # SOF's Kconfig (SOF's zephyr/CMakeLists: if(CONFIG_SOF))
    "SOF_ZEPHYR_VIRTUAL_HEAP_REGION_SIZE": "hex",   # SOF's zephyr/Kconfig
    "SOF_USERSPACE_INTERFACE_ALLOC": "bool",        # SOF's zephyr/Kconfig (rtos/alloc.h)
    "SOF_LOG_LEVEL": "int",             # SOF's Kconfig (its zephyr/test/*.c log module)
}

# stand-in of Zephyr's subsys/logging/Kconfig.template.log_config: a level
# choice and an int per module (same symbols and values as Zephyr's)
LOG_TEMPLATE = """choice
\tprompt "Max compiled-in log level for $(module-str)"
\tdefault $(module)_LOG_LEVEL_INF
\tdepends on LOG
config $(module)_LOG_LEVEL_OFF
\tbool "Off"
config $(module)_LOG_LEVEL_ERR
\tbool "Error"
config $(module)_LOG_LEVEL_WRN
\tbool "Warning"
config $(module)_LOG_LEVEL_INF
\tbool "Info"
config $(module)_LOG_LEVEL_DBG
\tbool "Debug"
endchoice
config $(module)_LOG_LEVEL
\tint
\tdepends on LOG
\tdefault 0 if $(module)_LOG_LEVEL_OFF
\tdefault 1 if $(module)_LOG_LEVEL_ERR
\tdefault 2 if $(module)_LOG_LEVEL_WRN
\tdefault 3 if $(module)_LOG_LEVEL_INF
\tdefault 4 if $(module)_LOG_LEVEL_DBG
"""

# SOF's own definition, as a SOF firmware's Kconfig has it (with a prompt)
SOF_KCONFIG = """config SOF
\tbool "Sound Open Firmware"
config SOF_VREGIONS
\tbool "Virtual regions (SOF's prompt)"
config SOF_ZEPHYR_VIRTUAL_HEAP_REGION_SIZE
\thex "virtual heap region"
\tdefault 0x100000
config SOF_USERSPACE_INTERFACE_ALLOC
\tbool "userspace alloc interface"
"""

failures = []


def fail(msg):
    failures.append(msg)


def top_kconfig(srctree, sof):
    """The top Kconfig: Zephyr stand-ins, SOF's (before or after), ours."""
    lines = ['mainmenu "vregion Kconfig check"']
    for name, typ in ZEPHYR_SYMS.items():
        if sof and name.startswith("SOF"):
            continue
        prompt = "" if name == "DCACHE_LINE_SIZE" else ' "%s"' % name
        lines.append("config %s\n\t%s%s" % (name, typ, prompt))
        if typ == "hex":
            lines.append("\tdefault 0x1000")
        elif typ == "int":
            lines.append("\tdefault 0")
    sof_src = 'source "sof/Kconfig"' if sof else ""
    if sof == "before":
        lines.append(sof_src)
    lines.append('menu "vregion"\nsource "%s"\nendmenu' % KCONFIG)
    if sof == "after":
        lines.append(sof_src)
    path = os.path.join(srctree, "Kconfig.top")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def conf_lines(path):
    with open(path) as f:
        return [l.strip() for l in f if l.strip().startswith("CONFIG_")]


def scenarios():
    """name -> (CONFIG_ lines, expected values, SOF Kconfig placement)."""
    prj = conf_lines(os.path.join(TESTDIR, "prj.conf"))
    boards = []
    bdir = os.path.join(TESTDIR, "boards")
    for b in sorted(os.listdir(bdir)):
        boards.append((b, conf_lines(os.path.join(bdir, b))))
    yaml = open(os.path.join(TESTDIR, "testcase.yaml")).read()
    extra = {}
    for m in re.finditer(r"^  (vregion\.[a-z_]+):(.*?)(?=^  vregion\.|\Z)", yaml, re.S | re.M):
        extra[m.group(1)] = re.findall(r"- (CONFIG_[A-Z0-9_]+=\S+)", m.group(2))
    if not extra:
        fail("testcase.yaml: no scenario found")
    out = {}
    port = {"VREGION": "y", "VREGION_SOF": "n", "SOF_VREGIONS": "n",
            "VREGION_LOG_LEVEL": "2", "HEAP_MEM_POOL_ADD_SIZE_VREGION": "16384",
            "VREGION_PROTECT": "n"}
    sof_own = {"VREGION_SOF": "y", "SOF_VREGIONS": "y", "VREGION_SOF_BOOT": "y",
               "VREGION_SOF_INIT_PRIORITY": "1", "VREGION_SOF_VPAGE_STATS": "y",
               "VREGION_SOF_META_RZALLOC": "n", "VREGION_SOF_ADSP_REGION": "n",
               "HEAP_MEM_POOL_ADD_SIZE_VREGION": "16384"}
    expect = {"vregion.port": port,
              "vregion.sof": sof_own,
              "vregion.sof_without_sof": {"VREGION_SOF": "y", "SOF_VREGIONS": "y",
                                          "VREGION_SOF_OWN_HEADERS": "n",
                                          "VREGION_SOF_VPAGE_STATS": "n",
                                          "VREGION_SOF_META_RZALLOC": "n"}}
    for name, cfgs in extra.items():
        for bname, bl in [("", [])] + boards:
            out["%s%s" % (name, "+" + bname if bname else "")] = (
                prj + bl + cfgs, expect.get(name, {}), None)
    # a SOF firmware on Intel ACE (docs/zephyr.md, "Adding the module to SOF")
    ace = ["CONFIG_SOC_FAMILY_INTEL_ADSP=y", "CONFIG_SOC_SERIES_INTEL_ADSP_ACE=y",
           "CONFIG_MM_DRV=y", "CONFIG_LOG=y", "CONFIG_SOF=y", "CONFIG_SOF_VREGIONS=y",
           "CONFIG_VREGION=y", "CONFIG_VREGION_SOF=y", "CONFIG_VREGION_PHYS_PAGES=256"]
    sof_fw = {"SOF_VREGIONS": "y", "VREGION_SOF_META_RZALLOC": "y",
              "VREGION_SOF_ADSP_REGION": "y", "HEAP_MEM_POOL_ADD_SIZE_VREGION": "0",
              "VREGION_PROTECT": "n", "VREGION_SOF_VPAGE_STATS": "n"}
    for where in ("before", "after"):
        out["sof-firmware-ace (SOF's Kconfig %s ours)" % where] = (ace, sof_fw, where)
        # SOF's prompt left unset: vregion's default still turns it on
        out["sof-firmware, SOF_VREGIONS unset (%s)" % where] = (
            [l for l in ace if "SOF_VREGIONS" not in l], {"SOF_VREGIONS": "y"}, where)
    out["userspace syscalls"] = (
        ["CONFIG_USERSPACE=y", "CONFIG_VREGION=y", "CONFIG_VREGION_SOF=y",
         "CONFIG_VREGION_SOF_SYSCALLS=y"], {"VREGION_SOF_SYSCALLS": "y"}, None)
    return out


def check_scenario(srctree, name, lines, expect, sof):
    os.environ["srctree"] = srctree
    kconf = kconfiglib.Kconfig(top_kconfig(srctree, sof), warn_to_stderr=False)
    kconf.warn_assign_undef = True
    kconf.warn_assign_override = False
    kconf.warn_assign_redun = False
    conf = os.path.join(srctree, "test.conf")
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    kconf.load_config(conf)
    for w in kconf.warnings:
        fail("%s: Kconfig warning: %s" % (name, w.strip()))
    for line in lines:  # an assignment Kconfig did not take (unmet dependency)
        sym, val = line[len("CONFIG_"):].split("=", 1)
        s = kconf.syms.get(sym)
        if s is not None and s.nodes and s.str_value != val.strip('"'):
            fail("%s: CONFIG_%s=%s did not take (is %s)" % (name, sym, val, s.str_value))
    for sym, val in expect.items():
        got = kconf.syms[sym].str_value if sym in kconf.syms else "<undefined>"
        if got != val:
            fail("%s: CONFIG_%s is %s, expected %s" % (name, sym, got, val))
    return kconf


def check_references(kconf):
    """Every symbol our Kconfig references is defined somewhere we know."""
    ours = {s.name for s in kconf.unique_defined_syms
            if any(KCONFIG in n.filename or n.filename.endswith("zephyr/Kconfig")
                   for n in s.nodes)}
    for sym in kconf.syms.values():
        if sym.name == "MODULES" or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", sym.name):
            continue  # kconfiglib's own, and numbers used as values
        if not sym.nodes and sym.name not in ZEPHYR_SYMS:
            fail("zephyr/Kconfig references %s, defined nowhere (Zephyr 4.3 / SOF)" % sym.name)
    return ours


def check_sources(kconf):
    files = []
    for d in ("src/port/zephyr", "zephyr", "tests/zephyr"):
        for dp, _, fs in os.walk(os.path.join(ROOT, d)):
            files += [os.path.join(dp, f) for f in fs
                      if f.endswith((".c", ".h", ".txt", ".conf", ".yaml", ".sh"))
                      or f == "Kconfig"]
    files += [os.path.join(ROOT, p) for p in (
        "src/compat/sof_zephyr.c", "src/compat/sof_syscall.c", "src/compat/sof_internal.h",
        "include/vregion/port_zephyr.h", "include/vregion/config.h", "docs/zephyr.md",
        "bench/CMakeLists.txt")]
    known = set(kconf.syms) | set(ZEPHYR_SYMS)
    pat = re.compile(r"(?<![A-Za-z0-9_])CONFIG_([A-Z0-9_]*[A-Z0-9])(?![A-Za-z0-9_])")
    for path in files:
        with open(path, errors="replace") as f:
            text = f.read()
        for m in pat.finditer(text):
            name = m.group(1)
            if name in known or name == "X" or name.startswith("VREGION_LOG_LEVEL_"):
                continue
            # explained as absent where it is named (docs, help, comments)
            if name == "SOC_SERIES_INTEL_ACE1X" and not path.endswith(".c"):
                continue
            if name in kconf.syms and kconf.syms[name].nodes:
                continue
            fail("%s: CONFIG_%s is not a symbol of zephyr/Kconfig, Zephyr 4.3 or SOF"
                 % (os.path.relpath(path, ROOT), name))


def main():
    with tempfile.TemporaryDirectory() as srctree:
        os.makedirs(os.path.join(srctree, "subsys", "logging"))
        os.makedirs(os.path.join(srctree, "sof"))
        with open(os.path.join(srctree, "subsys", "logging",
                               "Kconfig.template.log_config"), "w") as f:
            f.write(LOG_TEMPLATE)
        with open(os.path.join(srctree, "sof", "Kconfig"), "w") as f:
            f.write(SOF_KCONFIG)
        kconf = None
        runs = scenarios()
        for name, (lines, expect, sof) in runs.items():
            k = check_scenario(srctree, name, lines, expect, sof)
            if sof is None and kconf is None:
                kconf = k
        check_references(kconf)
        check_sources(kconf)
    for f in failures:
        print("FAIL:", f)
    print("%d configurations, %d failures" % (len(runs), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
