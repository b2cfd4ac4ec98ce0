// Every vCPU has its own two timers (build with -DGIC_VERSION=2|3, run with 4 vCPUs).
// CPU 0 starts CPUs 1..3 with PSCI CPU_ON. CPU k arms its physical timer at base + 4(k+1) ms
// and its virtual timer 2 ms later, so every deadline on the board is distinct; once both
// have interrupted it, it re-arms its virtual timer at a common end time, so every CPU is
// still listening while the others' timers fire. The IRQ handler records, per CPU, each INTID
// with the count when it was taken. An interrupt routed to the wrong CPU would show up there
// as an extra record, or earlier than that CPU's own deadline.
#include "tlib.h"
#include "timers.h"
#include "smp.h"

#define NCPUS 4
#define MAX_RECORDS 8
#define MS(n) us_ticks(1000 * (uint64_t)(n))

struct record { uint32_t intid; uint32_t ctl; uint64_t at; };
static volatile struct {
    int count;
    struct record records[MAX_RECORDS];
    uint64_t physical_deadline, virtual_deadline;
    uint64_t physical_cval_read, virtual_cval_read;
    int armed, done;
} cpus[NCPUS];
static volatile uint64_t base_physical, base_virtual, end_virtual;

static bool on_irq(struct exception_frame *frame, int kind) {
    (void)frame; (void)kind;
    uint32_t iar = gic_ack();
    uint32_t intid = gic_intid(iar);
    if (intid == GIC_SPURIOUS) return true;
    uint32_t cpu = cpu_id();
    int t = timer_of_ppi(intid);
    struct record r = { intid, 0, cntpct() };
    if (t >= 0) {
        r.at = timer_count(t);
        r.ctl = (uint32_t)timer_ctl(t);
        timer_set_ctl(t, CNT_CTL_ENABLE | CNT_CTL_IMASK);
    }
    if (cpu < NCPUS) {
        int n = cpus[cpu].count;
        if (n < MAX_RECORDS) cpus[cpu].records[n] = r;
        cpus[cpu].count = n + 1;
    }
    gic_eoi(iar);
    return true;
}

static bool all(int what) {
    for (int k = 0; k < NCPUS; k++) if (!(what ? cpus[k].done : cpus[k].armed)) return false;
    return true;
}

static void cpu_main(uint64_t arg) {
    uint32_t k = (uint32_t)arg;
    if (k != cpu_id()) return;              // reported by CPU 0: this CPU never gets done
    gic_init();
    gic_enable(TIMER_PPI_PHYSICAL, 0x80);
    gic_enable(TIMER_PPI_VIRTUAL, 0x80);
    cpus[k].physical_deadline = base_physical + MS(4 * (k + 1));
    cpus[k].virtual_deadline = base_virtual + MS(4 * (k + 1) + 2);
    set_cntp_cval(cpus[k].physical_deadline);
    set_cntv_cval(cpus[k].virtual_deadline);
    set_cntp_ctl(CNT_CTL_ENABLE);
    set_cntv_ctl(CNT_CTL_ENABLE);
    dsb_sy();
    cpus[k].armed = 1;
    while (!all(0)) {}
    // Every CPU has written its CVALs: each still reads its own.
    cpus[k].physical_cval_read = cntp_cval();
    cpus[k].virtual_cval_read = cntv_cval();

    irq_enable();
    while (cpus[k].count < 2) wfi();
    set_cntv_cval(end_virtual);
    set_cntv_ctl(CNT_CTL_ENABLE);
    while (cpus[k].count < 3) wfi();
    irq_disable();
    set_cntp_ctl(0);
    set_cntv_ctl(0);
    dsb_sy();
    cpus[k].done = 1;
}

static const struct record *find(int k, uint32_t intid, int nth) {
    int n = cpus[k].count < MAX_RECORDS ? cpus[k].count : MAX_RECORDS;
    for (int i = 0; i < n; i++)
        if (cpus[k].records[i].intid == intid && nth-- == 0) return (const struct record *)&cpus[k].records[i];
    return 0;
}

int main(void) {
    set_irq_handler(on_irq);
    // A common base 10 ms ahead leaves the secondaries time to start and arm.
    base_physical = cntpct() + MS(10);
    base_virtual = cntvct() + MS(10);
    end_virtual = base_virtual + MS(4 * NCPUS + 6);
    for (uint32_t k = 1; k < NCPUS; k++) {
        int64_t r = smp_start_cpu(k, cpu_main, k);
        if (r != PSCI_SUCCESS) fail("CPU_ON of CPU %u returned %d", k, (int)r);
    }
    // The board has no CPU 4.
    CHECK_EQ(smp_start_cpu(NCPUS, cpu_main, NCPUS), (uint64_t)PSCI_INVALID_PARAMETERS);
    cpu_main(0);
    while (!all(1)) {}

    for (int k = 0; k < NCPUS; k++) {
        const struct record *p = find(k, TIMER_PPI_PHYSICAL, 0);
        const struct record *v = find(k, TIMER_PPI_VIRTUAL, 0);
        const struct record *e = find(k, TIMER_PPI_VIRTUAL, 1);
        if (cpus[k].count != 3 || !p || !v || !e) {
            fail("CPU %d took %d interrupts (first INTIDs %u %u %u), expected 30, 27, 27", k, cpus[k].count,
                 cpus[k].records[0].intid, cpus[k].records[1].intid, cpus[k].records[2].intid);
        }
        printf("cpu %d: INTID 30 at +%lu us, INTID 27 at +%lu us, INTID 27 at +%lu us\n", k,
               ticks_us(p->at - base_physical), ticks_us(v->at - base_virtual), ticks_us(e->at - base_virtual));
        CHECK_EQ(cpus[k].physical_cval_read, cpus[k].physical_deadline);
        CHECK_EQ(cpus[k].virtual_cval_read, cpus[k].virtual_deadline);
        if (p->at < cpus[k].physical_deadline) fail("CPU %d: INTID 30 before its own deadline", k);
        if (v->at < cpus[k].virtual_deadline) fail("CPU %d: INTID 27 before its own deadline", k);
        if (e->at < end_virtual || e < v) fail("CPU %d: last INTID 27 before the end time", k);
        CHECK_EQ(p->ctl, CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
        CHECK_EQ(v->ctl, CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
    }
    pass();
}
