package io.valentia.postmortem.index;

import org.apache.lucene.document.Document;
import org.apache.lucene.index.Term;

/**
 * What one Kafka record becomes in an index.
 *
 * @param key the term that identifies the document: upserting replaces every document with it
 * @param document the document
 */
public record IndexedRecord(Term key, Document document) {}
