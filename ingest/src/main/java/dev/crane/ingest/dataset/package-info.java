/**
 * Datasets in MMRec's layout, shared by ingest and the trainer (the only parser of these files).
 *
 * <ul>
 *   <li>{@link dev.crane.ingest.dataset.MmrecReader#read(java.nio.file.Path)} reads a directory
 *       ({@code <name>.inter} + {@code <modality>_feat.npy}) strictly;
 *       {@link dev.crane.ingest.dataset.MmrecReader#read(java.nio.file.Path, ReadOptions)} adds
 *       skip-bad mode, expected dimensions, a modality subset and a limit, and returns a
 *       {@link dev.crane.ingest.dataset.ReadReport} of what was skipped, per
 *       {@link dev.crane.ingest.dataset.BadReason}.
 *   <li>{@link dev.crane.ingest.dataset.MmrecWriter} writes a dataset back in the same format.
 *   <li>{@link dev.crane.ingest.dataset.SyntheticGenerator} generates one with planted structure
 *       from a {@link dev.crane.ingest.dataset.SyntheticConfig};
 *       {@link dev.crane.schemas.Modality#parseList(String)} parses {@code visual:4096,text:384}.
 *   <li>{@link dev.crane.ingest.dataset.InteractionTable#publishOrder()} is the order ingest
 *       publishes in; {@link dev.crane.schemas.SplitRule} is MMRec's per-user 8:1:1 rule.
 * </ul>
 *
 * <p>Bad input raises {@link dev.crane.ingest.dataset.DatasetException} (unchecked) whose message
 * starts with {@code file:line} or {@code file:row N}; genuine I/O failures stay IOException.
 */
package dev.crane.ingest.dataset;

import dev.crane.schemas.Modality;
