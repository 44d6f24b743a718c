package io.valentia.eventbus.payload;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One section of a postmortem as a revision left it.
 *
 * @param section the section's name, e.g. {@code summary}, {@code timeline}, {@code actionItems}
 * @param value the section's whole new value (a string for prose, an array for lists); never null
 */
public record SectionChange(String section, JsonNode value) {}
