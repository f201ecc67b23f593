package io.zkmargin.operator;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * Where the sequencer keeps what it accepted, durable before it answers: every transition in order
 * and the start of every batch (its number and batch time), replayed at start to rebuild the ledger
 * and the batches exactly. Behind this interface so that the venue's database can hold it instead
 * of a file ({@link FileTransitionLog} is the file).
 */
public interface TransitionLog extends Closeable {

  /** One record of the log. */
  sealed interface Entry {}

  /**
   * Batch {@code batch} starts here: the transitions after it, up to the next start, are its.
   *
   * @param batchTime the batch's time, unix seconds
   */
  record BatchStart(long batch, long batchTime) implements Entry {}

  /** An accepted transition. */
  record Accepted(Transition transition) implements Entry {}

  /** Appends an accepted transition; returns once it is durable (fsynced). */
  void append(Transition t) throws IOException;

  /** Appends the start of a batch; returns once it is durable. */
  void appendBatchStart(long batch, long batchTime) throws IOException;

  /** Every record read when the log was opened, in order. */
  List<Entry> entries();
}
