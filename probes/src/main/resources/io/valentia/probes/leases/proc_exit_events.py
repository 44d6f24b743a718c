# Prints "PID WAIT_STATUS" for every process that exits on this machine, read from the kernel's
# process events connector (netlink NETLINK_CONNECTOR, CN_IDX_PROC). Needs CAP_NET_ADMIN.
# Prints "ready" once listening. Threads other than a process's main thread are left out.
import os, socket, struct, sys

NETLINK_CONNECTOR = 11
CN_IDX_PROC = 1
CN_VAL_PROC = 1
PROC_CN_MCAST_LISTEN = 1
PROC_EVENT_EXIT = 0x80000000
NLMSG_DONE = 3

s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_CONNECTOR)
s.bind((os.getpid(), CN_IDX_PROC))
op = struct.pack("=I", PROC_CN_MCAST_LISTEN)
cn = struct.pack("=IIIIHH", CN_IDX_PROC, CN_VAL_PROC, 0, 0, len(op), 0) + op
s.send(struct.pack("=IHHII", 16 + len(cn), NLMSG_DONE, 0, 0, os.getpid()) + cn)
print("ready", flush=True)
while True:
    data = s.recv(65536)
    offset = 0
    while offset + 16 <= len(data):
        length = struct.unpack_from("=I", data, offset)[0]
        if length < 16:
            break
        event = offset + 16 + 20  # nlmsghdr, cn_msg
        if event + 16 <= offset + length:
            what = struct.unpack_from("=I", data, event)[0]
            if what == PROC_EVENT_EXIT and event + 32 <= offset + length:
                pid, tgid, code, _sig = struct.unpack_from("=iiII", data, event + 16)
                if pid == tgid:
                    sys.stdout.write("%d %d\n" % (pid, code))
                    sys.stdout.flush()
        offset += (length + 3) & ~3
