/* product: the refinement product machine (normal Spec node, Impl state).
 *
 * A state is Impl's vector with one word in front, the normal node. Impl's
 * tau keeps the node; a visible event moves the node along the normal
 * form, or, when Spec cannot do it, to PRODUCT_ERROR (a node id equal to
 * the node count), a state with no successors that marks a trace error.
 * In the failures-divergences model nothing is explored below a node where
 * Spec may diverge (after a divergence Spec allows anything).
 * The product borrows impl and normal; both must outlive it.
 */
#ifndef LOCKSTEP_PRODUCT_H
#define LOCKSTEP_PRODUCT_H

#include "machine.h"
#include "normal.h"

Machine *product_new(const Machine *impl, const Normal *normal,
                     int prune_divergent);
/* The node word of the error state. */
uint32_t product_error_node(const Machine *product);

#endif
