package io.valentia.eventbus.payload;

/**
 * The holder of a lease.
 *
 * @param name the lessee's name (the VR app)
 * @param pid its process id, watched for exit; null when not watched
 */
public record Lessee(String name, Long pid) {}
