// The device tree the VMM passes in x0 (booting.rst): x0 holds a flattened device tree (magic
// 0xD00DFEED, version 17) that lies, whole, in RAM as the tree's own /memory node describes it,
// 8-byte aligned and clear of this image; x1-x3 are zero. The guest walks the structure block
// (Devicetree Specification v0.4, 5.4) and prints what the host then compares with the VM's
// configuration: RAM, the number of /cpus/cpu@ nodes, the PSCI method and /chosen/bootargs.
// Entered at boot_entry (boot_entry.S), which saved x0-x3 before _start reused them.
#include "runtime.h"

extern uint64_t boot_registers[4];
extern char __stack_top[];

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

static uint32_t be32(const volatile uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t cells(const volatile uint8_t *p, uint32_t count) {
    uint64_t v = 0;
    for (uint32_t i = 0; i < count; i++) v = v << 32 | be32(p + 4 * i);
    return v;
}

static bool starts_with(const char *s, const char *prefix) {
    while (*prefix) if (*s++ != *prefix++) return false;
    return true;
}

static bool equals(const char *a, const char *b) {
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

int main(void) {
    uint64_t dtb = boot_registers[0];
    CHECK_EQ(boot_registers[1], 0);
    CHECK_EQ(boot_registers[2], 0);
    CHECK_EQ(boot_registers[3], 0);
    CHECK_EQ(dtb % 8, 0);
    CHECK(dtb >= RAM_BASE);
    CHECK(dtb >= (uint64_t)__stack_top);       // not over this image

    const volatile uint8_t *fdt = (const volatile uint8_t *)dtb;
    CHECK_EQ(be32(fdt), 0xD00DFEED);
    uint32_t total = be32(fdt + 4), off_struct = be32(fdt + 8), off_strings = be32(fdt + 12);
    uint32_t version = be32(fdt + 20), size_struct = be32(fdt + 36);
    CHECK_EQ(version, 17);
    CHECK(off_struct + size_struct <= total);
    printf("dtb at 0x%lx size %u\n", dtb, total);

    uint32_t address_cells = 2, size_cells = 2;
    uint64_t ram_base = 0, ram_size = 0;
    unsigned cpus = 0, depth = 0;
    const char *level1 = "";
    const char *psci_method = "", *bootargs = "(none)";
    const volatile uint8_t *p = fdt + off_struct, *end = p + size_struct;
    while (p < end) {
        uint32_t token = be32(p);
        p += 4;
        if (token == FDT_BEGIN_NODE) {
            const char *name = (const char *)p;
            uint32_t n = 0;
            while (p[n]) n++;
            p += (n + 1 + 3) & ~3u;
            depth++;
            if (depth == 2) level1 = name;
            if (depth == 3 && equals(level1, "cpus") && starts_with(name, "cpu@")) cpus++;
        } else if (token == FDT_END_NODE) {
            depth--;
        } else if (token == FDT_PROP) {
            uint32_t len = be32(p), name_off = be32(p + 4);
            const volatile uint8_t *value = p + 8;
            p = value + ((len + 3) & ~3u);
            const char *name = (const char *)(fdt + off_strings + name_off);
            if (depth == 1 && equals(name, "#address-cells")) address_cells = be32(value);
            if (depth == 1 && equals(name, "#size-cells")) size_cells = be32(value);
            if (depth == 2 && starts_with(level1, "memory") && equals(name, "reg")) {
                CHECK_EQ(len, 4 * (address_cells + size_cells));
                ram_base = cells(value, address_cells);
                ram_size = cells(value + 4 * address_cells, size_cells);
            }
            if (depth == 2 && equals(level1, "psci") && equals(name, "method")) psci_method = (const char *)value;
            if (depth == 2 && equals(level1, "chosen") && equals(name, "bootargs")) bootargs = (const char *)value;
        } else if (token == FDT_END) {
            break;
        } else if (token != FDT_NOP) {
            fail("bad structure token 0x%x at offset 0x%lx", token, (uint64_t)(p - 4 - fdt));
        }
    }
    CHECK_EQ(depth, 0);
    printf("memory 0x%lx size 0x%lx\n", ram_base, ram_size);
    printf("cpus %u\n", cpus);
    printf("psci method %s\n", psci_method);
    printf("bootargs %s\n", bootargs);

    CHECK_EQ(ram_base, RAM_BASE);
    CHECK(dtb >= ram_base && dtb + total <= ram_base + ram_size);
    pass();
}
