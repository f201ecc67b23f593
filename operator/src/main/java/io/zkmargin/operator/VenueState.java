package io.zkmargin.operator;

import io.zkmargin.prover.Venue;
import java.io.IOException;
import java.util.Map;

/**
 * The venue's durable state that the operator starts from and writes every finalized batch to (one
 * state: the database the health service proves against; {@code ./zkm serve}). It holds the
 * ledger's state at the last finalized batch of one Settlement deployment: at a new deployment (its
 * genesis root is this state's root) that batch is 0.
 */
public interface VenueState {

  /** The stored venue: the leaves at {@link #position()}'s batch and the risk vector. */
  Venue venue();

  /**
   * The order-fill slots of every account that filled an order, {@code [orderIds, filled]} of the
   * 2^K slots, by account id.
   */
  Map<Long, long[][]> orderSlots();

  /** The Settlement deployment the state belongs to ("" before any). */
  String deployment();

  /** The finalized batch the state is at, with the deposit queue consumed up to it. */
  Sequencer.Resume position();

  /**
   * Makes the stored state the genesis (batch 0) of a new deployment.
   *
   * @throws IOException when it cannot be written
   */
  void startDeployment(String deployment) throws IOException;

  /**
   * Writes one finalized batch: its changed accounts, the batch number, the deposit position and
   * the new root, in one transaction.
   *
   * @throws Exception when it could not (the sequencer hands the batch again later)
   */
  void finalized(String deployment, Sequencer.FinalState state) throws Exception;
}
