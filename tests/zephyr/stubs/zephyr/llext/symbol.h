/* SPDX-License-Identifier: BSD-3-Clause */
/* Stand-in for <zephyr/llext/symbol.h>: EXPORT_SYMBOL(fn) puts {name,
 * address} in the section "vr_stub_exports", which the tests walk
 * (vr_stub_export_find) to check what an LLEXT module could link against. */
#ifndef VR_STUB_ZEPHYR_LLEXT_SYMBOL_H
#define VR_STUB_ZEPHYR_LLEXT_SYMBOL_H

struct vr_stub_symbol {
	const char *name;
	void (*addr)(void);
};

#define EXPORT_SYMBOL(x)                                                           \
	static const struct vr_stub_symbol z_stub_export_##x                      \
		__attribute__((section("vr_stub_exports"), used, aligned(sizeof(void *)))) = { \
			#x, (void (*)(void))(x) }
/* no EXPORT_SYSCALL: Zephyr 3.7 and later (4.3 included) have none */

/* host bookkeeping: the exported address of `name`, or NULL */
void (*vr_stub_export_find(const char *name))(void);

#endif
