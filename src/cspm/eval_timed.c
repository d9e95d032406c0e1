/* eval_timed: FDR's Timed CSP. The processes written inside a
 * Timed(et) { ... } section are built as FDR translates them (the FDR
 * manual's "Timed CSP" section; Armstrong, Lowe, Ouaknine and Roscoe,
 * "Model checking Timed CSP"), with the event tock as the passage of one
 * unit of time:
 *
 *   a -> P          W = tock -> W [] a -> tock^et(a) -> P: the prefix
 *                   waits, then the event takes et(a) units (each event
 *                   of c?x -> P(x) its own et)
 *   STOP, SKIP      TSTOP = tock -> TSTOP, TSKIP = tock -> TSKIP [] SKIP
 *   WAIT(n)         tock^n -> TSKIP
 *   P [] Q          P [+ {tock} +] Q: time passes in both; [] over {} is
 *                   TSTOP, and so is a false guard
 *   P /\ Q          P /+ {tock} +\ Q
 *   P ||| Q         P [| {tock} |] Q, and tock joins the set of every
 *                   [| A |], [A || B], [+ A +] and /+ A +\ (replicated too;
 *                   over {} they are TSTOP)
 *   ; over <>       TSKIP
 *   timed_priority(P)  prioritise(P, <{}, {tock}>): tau before tock
 *
 * Hiding, |~|, ;, renaming, [> and exceptions are as outside a section;
 * linked parallel and $ are errors, as in FDR. The translation is lexical:
 * a process defined outside a section and called inside is untimed.
 * eval_proc.c asks here at each operator whose Expr is marked timed. */
#include "eval_impl.h"

#include "lex.h"

#include <stdio.h>

enum { TIMED_MAX_DELAY = 1000000 }; /* et(a) beyond this is a mistake */

uint32_t timed_tock(Eval *ev, SrcPos at)
{
    if (ev->tock != EVENT_NONE)
        return ev->tock;
    Binding *b = eval_lookup(ev, NULL, "tock");
    Value *v = b ? eval_binding(ev, b, at) : NULL;
    if (!v || v->kind != V_NAME ||
        !((const NameInfo *)v->ref)->is_channel ||
        ((const NameInfo *)v->ref)->arity != 0) {
        if (!b || v)
            eval_error(ev, at, "a Timed section needs tock to be an event "
                       "(a channel without fields)");
        return EVENT_NONE;
    }
    ev->tock = eval_event_id(ev, v, at);
    return ev->tock;
}

uint32_t timed_stop(Eval *ev, SrcPos at)
{
    return term_timed(ev->terms, timed_tock(ev, at), term_stop(ev->terms));
}

uint32_t timed_skip(Eval *ev, SrcPos at)
{
    return term_timed(ev->terms, timed_tock(ev, at), term_skip(ev->terms));
}

uint32_t timed_wait(Eval *ev, uint32_t p, SrcPos at)
{
    return p == TERM_NONE ? TERM_NONE
                          : term_timed(ev->terms, timed_tock(ev, at), p);
}

/* tock^n -> next */
static uint32_t tocks(Eval *ev, long long n, uint32_t next, SrcPos at)
{
    uint32_t tock = timed_tock(ev, at);
    for (long long i = 0; i < n && next != TERM_NONE; i++)
        next = term_prefix(ev->terms, tock, next);
    return next;
}

/* The section's event-time function, evaluated once at the top level. */
static Value *event_time_function(Eval *ev, const Decl *section)
{
    for (TimedEt *t = ev->timed_et; t; t = t->next)
        if (t->section == section)
            return t->et;
    Value *et = eval_expr(ev, section->body, NULL);
    TimedEt *t = et ? arena_alloc(ev->arena, sizeof *t) : NULL;
    if (!t)
        return NULL;
    *t = (TimedEt){section, et, ev->timed_et};
    ev->timed_et = t;
    return et;
}

uint32_t timed_after(Eval *ev, const Expr *e, Value *event, uint32_t next)
{
    if (next == TERM_NONE)
        return TERM_NONE;
    if (!e->timed->body) /* Timed { ... }: FDR's default, one tock each */
        return tocks(ev, 1, next, e->pos);
    Value *et = event_time_function(ev, e->timed);
    Value *n = et ? eval_apply(ev, et, &event, 1, e->timed->body->pos) : NULL;
    if (!n)
        return TERM_NONE;
    if (n->kind != V_INT || n->ival < 0 || n->ival > TIMED_MAX_DELAY) {
        eval_error(ev, e->timed->body->pos, "the event-time function of "
                   "this Timed section gives %s for %s (a number of time "
                   "units from 0 to %d was expected)",
                   value_text(ev->arena, n), value_text(ev->arena, event),
                   TIMED_MAX_DELAY);
        return TERM_NONE;
    }
    return tocks(ev, n->ival, next, e->pos);
}

uint32_t timed_set(Eval *ev, uint32_t set, SrcPos at)
{
    uint32_t tock = set == TERM_NONE ? EVENT_NONE : timed_tock(ev, at);
    if (tock == EVENT_NONE)
        return TERM_NONE;
    EventSet s = term_set_get(ev->terms, set);
    uint32_t *ids = mem_alloc((s.count + 1) * sizeof *ids);
    if (!ids)
        return TERM_NONE;
    mem_copy(ids, s.ids, s.count * sizeof *ids);
    ids[s.count] = tock;
    uint32_t with = term_set(ev->terms, ids, s.count + 1);
    mem_free(ids);
    return with;
}

uint32_t timed_only_tock(Eval *ev, SrcPos at)
{
    uint32_t tock = timed_tock(ev, at);
    return tock == EVENT_NONE ? TERM_NONE : term_set(ev->terms, &tock, 1);
}

Value *timed_wait_value(Eval *ev, Value *n, SrcPos at)
{
    if (n->kind != V_INT || n->ival < 0 || n->ival > TIMED_MAX_DELAY) {
        eval_error(ev, at, "WAIT(%s): the number of time units must be from "
                   "0 to %d", value_text(ev->arena, n), TIMED_MAX_DELAY);
        return NULL;
    }
    uint32_t t = tocks(ev, n->ival, timed_skip(ev, at), at);
    return t == TERM_NONE ? NULL : value_proc(ev->arena, t);
}
