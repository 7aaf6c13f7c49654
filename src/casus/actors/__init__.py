"""Actors: every mention of a person, state, organisation or group resolved to a canonical actor.

`casus_actors` (a spaCy component) writes `Doc._.casus_actors` (id -> actor) and `Doc._.casus_mentions`
({start, end, actor, via, tok, tok_end}); `mention_at` is what the quote and event components use
to turn a span into an actor
(indexed, `mentions.py`: `mention_on(doc, i)` gives the mention over token i). The knowledge base
is in `casus/data/kb/` (see `kb.py`).
"""

from casus.actors.kb import KBError, KnowledgeBase, build_kb, default_kb
from casus.actors.mentions import mention_at, mention_on, mentions_overlapping
from casus.actors.resolve import ActorResolver, doc_scope, make_actor_resolver

__all__ = ["ActorResolver", "KBError", "KnowledgeBase", "build_kb", "default_kb", "doc_scope",
           "make_actor_resolver", "mention_at", "mention_on", "mentions_overlapping"]
