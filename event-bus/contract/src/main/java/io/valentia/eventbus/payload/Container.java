package io.valentia.eventbus.payload;

/**
 * The container a process ran in, as read from its cgroup.
 *
 * @param id the container id; null for a systemd unit
 * @param runtime {@code docker}, {@code containerd}, {@code cri-o}, {@code podman}, {@code systemd}
 *     or {@code unknown}
 * @param cgroup the cgroup path the attribution came from
 */
public record Container(String id, String runtime, String cgroup) {}
