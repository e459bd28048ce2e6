# Guest script: does this kernel have what memsnoop needs? (BTF, the
# page-fault tracepoint, the syscall tracepoints, ring buffers.)
uname -r
ls -l /sys/kernel/btf/vmlinux || exit 1
ls /sys/kernel/tracing/events/exceptions || exit 1
cat /sys/kernel/tracing/events/exceptions/page_fault_user/format
ls -d /sys/kernel/tracing/events/syscalls/sys_enter_mmap /sys/kernel/tracing/events/sched/sched_process_exit /sys/kernel/tracing/events/mmap/exit_mmap 2>&1
cat /sys/kernel/tracing/events/sched/sched_process_exit/format
