"""ACLED coding of frames: merging, type hierarchy, inter codes, precision, notes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache

from ..kb import Actor, KnowledgeBase, get_kb
from ..model import Event, Evidence
from .frames import AIR_FORCES, FOLLOW_UP_TOLL, STRONG_BATTLE_PRIORITY, ActorMention, Frame, place_key
from .ner_link import NER_ACTOR_PREFIX
from .tolls import SPLIT_EVENLY

INTER_ORDER = [
    "State forces", "Rebel group", "Political militia", "Identity militia", "Rioters",
    "Protesters", "Civilians", "External/Other forces",
]
# Within an event type, a more specific sub-event type beats a generic one.
EVENT_TYPE_RANK = {
    "Battles": 6, "Explosions/Remote violence": 5, "Violence against civilians": 4, "Riots": 3,
    "Protests": 2, "Strategic developments": 1,
}
VERBS = {
    "Armed clash": "clashed with",
    "Government regains territory": "regained control of territory from",
    "Non-state actor overtakes territory": "took control of territory from",
    "Air/drone strike": "carried out an air/drone strike",
    "Shelling/artillery/missile attack": "shelled",
    "Remote explosive/landmine/IED": "detonated an explosive device",
    "Suicide bomb": "carried out a suicide bombing",
    "Grenade": "threw a grenade",
    "Chemical weapon": "used chemical weapons",
    "Attack": "attacked",
    "Abduction/forced disappearance": "abducted or detained",
    "Sexual violence": "committed sexual violence against",
    "Peaceful protest": "demonstrated",
    "Protest with intervention": "demonstrated and were dispersed",
    "Excessive force against protesters": "used excessive force against",
    "Violent demonstration": "rioted",
    "Mob violence": "engaged in mob violence",
    "Agreement": "reached an agreement with",
    "Arrests": "arrested",
    "Change to group/activity": "changed group activity",
    "Disrupted weapons use": "disrupted weapons use",
    "Headquarters or base established": "established a base",
    "Looting/property destruction": "looted or destroyed property",
    "Non-violent transfer of territory": "took over territory without fighting from",
    "Other": "were involved in a strategic development with",
}


@dataclass
class Group:
    """Frames that report one event (same actors, place and day). ``families`` and ``actors``
    (the event types and actor ids of its frames) are kept as frames are added, so that grouping
    a long document costs time in proportion to its frames."""

    frames: list[Frame]
    families: set[str] = field(default_factory=set)
    actors: set[str] = field(default_factory=set)
    sides: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        frames, self.frames = self.frames, []
        for f in frames:
            self.add(f)

    def add(self, f: Frame) -> None:
        self.frames.append(f)
        self.families.add(f.event_type)
        self.actors |= _pair(f)
        self.sides |= _sides(f)

    @property
    def head(self) -> Frame:
        """The frame whose type codes the event: highest event type, then trigger priority. A
        generic operation word ("عملية أمنية", below STRONG_BATTLE_PRIORITY) that killed no one, told
        with arrests at its place and day, is the arrest campaign, not a battle above it."""
        arrests = any(f.sub_event_type == "Arrests" for f in self.frames)

        def rank(f: Frame) -> int:
            if (arrests and f.event_type == "Battles" and f.trigger.priority < STRONG_BATTLE_PRIORITY
                    and not f.fatalities):
                return 0
            if arrests and f.sub_event_type == "Abduction/forced disappearance":
                # "اعتقلت ... واقتادته إلى جهة مجهولة": one detention, an arrest or an abduction as
                # the detainer is an authority of the place or not (code_group)
                return 0
            return EVENT_TYPE_RANK[f.event_type]

        return max(self.frames, key=lambda f: (rank(f), f.trigger.priority, f.actor1 is not None))


def _actor_key(m: ActorMention | None) -> str:
    return m.actor.actor_id if m is not None else ""


def _armed(f: Frame) -> list[ActorMention]:
    """A frame's actor1 and actor2 but civilian victims (they do not tell two attacks apart)."""
    return [a for a in (f.actor1, f.actor2) if a is not None and a.actor.inter != "Civilians"]


def _pair(f: Frame) -> set[str]:
    """The sides of a frame, by actor."""
    return {_actor_key(a) for a in _armed(f)}


#: A state's institutions ("Government of Syria", "Military Forces of Syria", "Police Forces of
#: Syria" and their units) are one side when telling two reports of an event apart.
_STATE_NAME = re.compile(r"^(?:Government|Military Forces|Police Forces) of (.+?) \(")


def _side(m: ActorMention) -> str:
    actor = m.actor
    if actor.inter == "State forces":
        state = _STATE_NAME.match(actor.name_en)
        if state:
            return "state:" + state.group(1)
    return _coalition(actor.actor_id)


def _one_coalition(a: ActorMention | None, b: ActorMention) -> bool:
    """Two groups of one umbrella ("قسد" and "الأسايش")."""
    return a is not None and _coalition(a.actor.actor_id) == _coalition(b.actor.actor_id)


def _other_side(actor1: ActorMention | None, f: Frame) -> bool:
    """Whether ``f.actor2`` can be the second actor of an event whose first is ``actor1``: not the
    first again under another of its names ("جهاز الأمن العام" and "الهيئة" are both HTS), and of
    the first's own coalition only where one report tells them fighting each other (the SNA's
    factions do)."""
    if actor1 is None:
        return True
    return (_actor_key(f.actor2) != _actor_key(actor1) and f.actor2.actor.name_en != actor1.actor.name_en
            and (not _one_coalition(actor1, f.actor2) or _one_coalition(f.actor1, f.actor2)))


@cache
def _coalition(actor_id: str) -> str:
    """The umbrella a group belongs to (kb/actors.csv ``parent_id``, followed up): "خطف عناصر من
    حركة التحرير والبناء" and "فصيل في الجيش الوطني" tell one side, the SNA's."""
    actors = get_kb().actors
    seen = {actor_id}
    while (parent := getattr(actors.get(actor_id), "parent_id", "")) and parent in actors and parent not in seen:
        actor_id = parent
        seen.add(parent)
    return actor_id


def _sides(f: Frame) -> set[str]:
    """The sides of a frame as reports of one event tell them: a state's institutions are one."""
    return {_side(a) for a in _armed(f)}


#: Sub-event types of a detention: an arrest by an authority, an abduction by anyone else.
DETENTION = frozenset({"Arrests", "Abduction/forced disappearance"})

#: Sub-event types that fold into a battle at their place and day even when they name no side
#: (CODEBOOK: a shelling inside an ongoing battle is part of it).
UNNAMED_FIRE_FOLDS = frozenset({"Shelling/artillery/missile attack"})


def _compatible(group: Group, f: Frame) -> bool:
    """Can ``f`` report the same event as ``group``: same day and place, compatible type, and
    actors that are a subset (or superset) of the group's actors."""
    first = group.frames[0]
    if f.date != first.date or place_key(f) != place_key(first):
        return False
    kinetic = {"Battles", "Explosions/Remote violence"}
    families = group.families
    # the CODEBOOK hierarchy: shelling, strikes and the moves around a battle (a withdrawal, a
    # handover, reinforcements) at its place and day fold into the battle
    folds = f.event_type in kinetic and families <= kinetic | {"Strategic developments"}
    folds = folds or (f.event_type == "Strategic developments" and bool(families & kinetic))
    # a protest that turned violent at its place and day is one demonstration event (a riot)
    crowds = {"Protests", "Riots"}
    folds = folds or (f.event_type in crowds and families <= crowds)
    # an arrest and the abduction words that tell it ("إلى جهة مجهولة") are one detention
    folds = folds or (f.sub_event_type in DETENTION and all(g.sub_event_type in DETENTION for g in group.frames))
    # "قتل 13 مدنيا في أريحا" told beside the shelling of Ariha that day: people killed, told with
    # no attacker of their own, are the casualties of the strike or blast at their place and day
    blasts = {"Explosions/Remote violence"}
    casualties = (_casualties_only(f) and bool(families & blasts)) or (
        f.event_type in blasts and all(_casualties_only(g) for g in group.frames))
    if f.event_type not in families and not (folds or casualties):
        return False
    if f.event_type == "Violence against civilians" and families & blasts and not casualties:
        return False  # the casualties it took in make no room for another attack
    pair = _sides(f)
    union = group.sides
    if f.event_type not in families:
        if casualties:
            return True
        # an air strike or shelling folds into a ground battle only when the sides are shared; a
        # strategic move also when it names no side
        if f.event_type == "Strategic developments" or families == {"Strategic developments"}:
            return not pair or not union or bool(pair & union)
        # a shelling that names no side, at a battle's place and day, is that battle's fire
        if (not pair and f.sub_event_type in UNNAMED_FIRE_FOLDS) or (
                not union and {g.sub_event_type for g in group.frames} <= UNNAMED_FIRE_FOLDS):
            return True
        return bool(pair & union)
    return not pair or not union or pair <= union or union <= pair


def _casualties_only(f: Frame) -> bool:
    """An attack coded from a death or wounding word alone ("مقتل مدني"), with no attacker named."""
    return f.sub_event_type == "Attack" and f.trigger.needs == "passive" and f.actor1 is None


def codable(group: Group) -> tuple[bool, str]:
    """Whether a group is an event ACLED would code, with the reason when it is not."""
    head = group.head
    actors = group.actors
    if head.event_type == "Battles" and len(actors) < 2:
        if not actors or max(f.trigger.priority for f in group.frames) < STRONG_BATTLE_PRIORITY:
            return False, "one-sided generic attack word without a second party"
    if (head.event_type == "Strategic developments" and not any(f.own_date for f in group.frames)
            and not _abduction(group)):
        return False, "strategic development with no date of its own (background or analysis)"
    return True, ""


def _detainer(group: Group) -> ActorMention | None:
    """The actor1 the event will name: the first frame of the head's type that names one."""
    head = group.head
    return (next((f.actor1 for f in group.frames if f.actor1 is not None and f.event_type == head.event_type), None)
            or next((f.actor1 for f in group.frames if f.actor1 is not None), None))


def _abduction(group: Group) -> bool:
    """An arrest by an actor that is no authority of the place: violence against civilians."""
    actor1 = _detainer(group)
    abroad = next((f.abroad_country for f in group.frames if f.abroad_country), "")
    return (group.head.sub_event_type == "Arrests" and actor1 is not None
            and not _detaining_authority(actor1.actor, abroad))


def group_frames(frames: list[Frame]) -> list[Group]:
    """Frames in groups, each joining the first earlier group it is compatible with. Only groups
    of the same day and place can be (``_compatible``), so each frame is tried against those; a
    frame that continues an earlier one (``Frame.continues``) joins that one's group."""
    groups: list[Group] = []
    by_key: dict[tuple, list[Group]] = {}
    group_of: dict[int, Group] = {}
    for f in frames:
        # a fragment that tells more of the event of the sentence before ("وأدى الانفجار إلى مقتل
        # ستة") is that event, whatever sides it names
        told = group_of.get(id(f.continues)) if f.continues is not None and f.continues.date == f.date else None
        if told is not None:
            told.add(f)
            group_of[id(f)] = told
            continue
        same = by_key.setdefault((f.date, place_key(f)), [])
        for g in same:
            if _compatible(g, f):
                g.add(f)
                break
        else:
            g = Group([f])
            groups.append(g)
            same.append(g)
        group_of[id(f)] = g
    return _fold_cities_into_quarters(groups)


def _place_label(g: Group) -> str:
    """The ACLED location label of a group's place ("Homs", "Homs - Wadi Ath-Thahab"; "" with none)."""
    point = g.frames[0].place.point if g.frames[0].place is not None else None
    return (point or {}).get("location") or ""


def _fold_cities_into_quarters(groups: list[Group]) -> list[Group]:
    """"انفجار في حمص" ... "استهدف مسجدا في حي وادي الذهب بمدينة حمص": a report told once at a
    city and once at one of its quarters or landmarks ("Homs - Wadi Ath-Thahab"), the same day and
    of the same event type, is one event at the quarter. Only when the report names one quarter of
    that city for that day and type: with several, the city's report may be any of them, or all.
    First, groups at two gazetteer entries of one place (a city and its governorate, both "Homs")
    the same day, of the same type and with no other side, are one."""
    out: list[Group] = []
    twins: dict[tuple, list[Group]] = {}  # (label, day, type) -> groups: each group is tried once
    for g in groups:
        # the same place under two gazetteer entries (the city of Homs and its governorate, both
        # "Homs"), the same day and type and no other side: one event
        label = _place_label(g)
        same = twins.setdefault((label, g.frames[0].date, g.head.event_type), []) if label else []
        twin = next((o for o in same if not g.sides or not o.sides or g.sides <= o.sides or o.sides <= g.sides), None)
        if twin is None:
            out.append(g)
            same.append(g)
            continue
        for f in g.frames:
            twin.add(f)
    quarters: dict[tuple, list[Group]] = {}  # (city label, day, type) -> groups at its quarters
    for g in out:
        label = _place_label(g)
        if " - " in label:
            quarters.setdefault((label.split(" - ", 1)[0], g.frames[0].date, g.head.event_type), []).append(g)
    folded: set[int] = set()
    for city in out:
        label = _place_label(city)
        inside = quarters.get((label, city.frames[0].date, city.head.event_type), []) if label else []
        if len({_place_label(g) for g in inside}) != 1:
            continue
        for f in city.frames:
            inside[0].add(f)
        folded.add(id(city))
    kept = [g for g in out if id(g) not in folded]
    return _fold_regions_into_towns(kept)


def _region_only(g: Group) -> bool:
    """The group's place is a region or governorate only ("في ريف الحسكة"), coded to its capital."""
    place = g.frames[0].place
    return place is not None and place.place is not None and place.geo_precision == 3


def _fold_regions_into_towns(groups: list[Group]) -> list[Group]:
    """"اعتقلت الأسايش مسؤولاً في ريف الحسكة ... بمدينة القامشلي": a report told once at a region
    only and once at a town of that governorate, the same day and of the same event type, with
    sides that agree (one names none, or a subset of the other's), is one event at the town. When
    the report names several such towns for that day and type, the region's report may be any of
    them, or all: it is folded (into the first) only when it is told before all of them, as a
    headline or a lead sums up the items that follow; told after them it stays its own event."""
    towns: dict[tuple, list[Group]] = {}
    for g in groups:
        place = g.frames[0].place
        if place is not None and place.place is not None and not _region_only(g):
            towns.setdefault(((place.point or {}).get("admin1"), g.frames[0].date, g.head.event_type), []).append(g)
    folded: set[int] = set()
    for region in groups:
        if not _region_only(region):
            continue
        key = ((region.frames[0].place.point or {}).get("admin1"), region.frames[0].date, region.head.event_type)
        inside = towns.get(key, [])
        labels = {_place_label(g) for g in inside}
        if not labels:
            continue
        if len(labels) > 1:
            # with several towns, only a region told before all of them (a headline, a lead:
            # "قصف روسي على ريف إدلب" ... the towns hit) sums them up: it is folded into the first
            first = min(f.trigger_span.start_char for f in region.frames)
            if not all(first < min(f.trigger_span.start_char for f in g.frames) for g in inside):
                continue
        town = inside[0]
        if region.sides and town.sides and not (region.sides <= town.sides or town.sides <= region.sides):
            continue
        for f in region.frames:
            town.add(f)
        folded.add(id(region))
    return [g for g in groups if id(g) not in folded]


def _inter_number(inter: str) -> int:
    return INTER_ORDER.index(inter) + 1 if inter in INTER_ORDER else 9


def interaction(inter1: str, inter2: str) -> str:
    if not inter1:
        return ""
    if not inter2:
        return f"{inter1} only"
    a, b = sorted((inter1, inter2), key=_inter_number)
    return f"{a}-{b}"


def disorder_type(kb: KnowledgeBase, sub_event_type: str) -> str:
    row = kb.categories.get(sub_event_type, {})
    violent = float(row.get("political_violence") or 0) > 0
    demo = float(row.get("demonstrations") or 0) > 0
    if violent and demo:
        return "Political violence; Demonstrations"
    if violent:
        return "Political violence"
    if demo:
        return "Demonstrations"
    return "Strategic developments"


def _date_words(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


def note(event: Event) -> str:
    """An English note in ACLED's style."""
    when = f"On {_date_words(dt.date.fromisoformat(event.event_date))}" if event.event_date else "On an unknown date"
    if event.time_precision == 2:
        when = f"Around {_date_words(dt.date.fromisoformat(event.event_date))} (week of)"
    elif event.time_precision == 3:
        d = dt.date.fromisoformat(event.event_date)
        when = f"In {d.strftime('%B')} {d.year}"
    actor1 = event.actor1 or "unidentified actors"
    if event.assoc_actor_1:
        actor1 += f", backed by {event.assoc_actor_1.replace('; ', ' and ')},"
    verb = VERBS.get(event.sub_event_type, "were involved in an event with")
    target = event.actor2
    if _protesters_first(event):
        actor1, target = "unidentified forces", event.actor1  # the force is not named
    sentence = f"{when}, {actor1} {verb}"
    if target and verb.endswith(("with", "from", "against", "attacked", "shelled", "arrested", "detained")):
        sentence += f" {target}"
    elif target:
        sentence += f" targeting {target}"
    elif verb.endswith(("with", "from", "against")):  # "clashed with" needs its object
        sentence += " unidentified actors"
    elif verb.endswith(("attacked", "shelled")):
        sentence += " targets"
    elif verb.endswith(("arrested", "detained")):
        sentence += " people"
    if event.location:
        sentence += f" in {event.location} ({', '.join(x for x in (event.admin2, event.admin1) if x)})"
    sentence += "."
    if event.fatalities:
        sentence += f" {event.fatalities} fatalit{'y' if event.fatalities == 1 else 'ies'} reported."
    else:
        sentence += " No fatalities reported."
    return sentence


#: Attacks whose unnamed perpetrator ACLED codes "Unidentified Armed Group (Syria)" (besides
#: violence against civilians): a bomb, a grenade, a shell. An air strike's is left unnamed.
UNATTRIBUTED_ARMED = {"Remote explosive/landmine/IED", "Suicide bomb", "Grenade", "Shelling/artillery/missile attack"}
UNNAMED_AUTHOR = "no perpetrator named: coded as an unidentified armed group"

#: Actor kinds (kb/actors.csv) whose detentions are arrests: Syria's state and its units, and the
#: north-east's de facto administration (the SDF and the Asayish). Foreign state forces arrest at home.
DETAINING_KINDS = {"state", "state_unit", "kurdish"}


def _detaining_authority(actor: Actor, abroad: str) -> bool:
    if actor.kind in DETAINING_KINDS or (actor.kind == "person" and actor.inter == "State forces"):
        return True
    return actor.kind == "foreign" and actor.inter == "State forces" and bool(abroad)


def code_group(group: Group, kb: KnowledgeBase, doc_id: str, source: str, n: int,
               latest_mentioned: str | None = None) -> Event:
    """One event from a group of frames. ``latest_mentioned``: the latest date the document
    mentions, which names the actors' period when neither the event nor the document is dated."""
    head = group.head
    ev = Event(doc_id=doc_id, source=source or "")
    ev.event_id_cnty = f"SYR-{doc_id[:10]}-{n}"
    # type
    ev.event_type, ev.sub_event_type = head.event_type, head.sub_event_type
    for f in group.frames:
        if f.event_type == head.event_type and f.sub_event_type in (
            "Non-state actor overtakes territory", "Government regains territory"
        ):
            ev.sub_event_type = f.sub_event_type
    ev.disorder_type = disorder_type(kb, ev.sub_event_type)
    typed = (
        [f for f in group.frames if f.trigger.sub_event_type == ev.sub_event_type]
        or [f for f in group.frames if f.sub_event_type == ev.sub_event_type]
        or [head]
    )
    evidence_frame = max(typed, key=lambda f: f.trigger.priority)
    ev.add_evidence("sub_event_type", _trigger_ev(evidence_frame))
    ev.add_evidence("event_type", _trigger_ev(evidence_frame))
    if evidence_frame.reasons.get("sub_event_type"):
        ev.reasons["sub_event_type"] = evidence_frame.reasons["sub_event_type"]
    # actors: the first frame that names them
    actor1 = _detainer(group)
    actor2 = next((f.actor2 for f in group.frames if f.actor2 is not None and _other_side(actor1, f)), None)
    if ev.sub_event_type == "Peaceful protest" and actor2 is not None:
        # CODEBOOK: a peaceful protest is one-sided; the government or group it is against is no actor
        ev.reasons["actor2"] = (f"{actor2.actor.name_en} is named as what the protest is about; "
                                "a peaceful protest has no second actor")
        actor2 = None
    civilian_victims = any(f.civilian_victims for f in group.frames)
    abroad = next((f.abroad_country for f in group.frames if f.abroad_country), "")
    if ev.sub_event_type == "Arrests" and _abduction(group):
        # CODEBOOK: detention by a non-state group (or by foreign forces inside Syria) is abduction
        ev.event_type, ev.sub_event_type = "Violence against civilians", "Abduction/forced disappearance"
        ev.disorder_type = disorder_type(kb, ev.sub_event_type)
        ev.reasons["sub_event_type"] = (f"detention by {actor1.actor.name_en}, not a state or de facto authority "
                                        "of the place: coded as abduction")
        civilian_victims = civilian_victims or actor2 is None
    if head.event_type in ("Protests", "Riots") and actor1 is None:
        crowd = "Protesters (Syria)" if head.event_type == "Protests" else "Rioters (Syria)"
        generic = next((a for a in kb.actors.values() if a.name_en == crowd), None)
        if generic is not None:
            ev.actor1, ev.inter1 = generic.name_en, generic.inter
            ev.reasons["actor1"] = "demonstrators not named as a group: coded as generic protesters/rioters"
    if actor1 is None and (ev.event_type == "Violence against civilians" or ev.sub_event_type in UNATTRIBUTED_ARMED):
        unidentified = next((a for a in kb.actors.values() if a.name_en == "Unidentified Armed Group (Syria)"), None)
        if unidentified is not None:
            ev.actor1, ev.inter1 = unidentified.name_en, unidentified.inter
            ev.reasons["actor1"] = UNNAMED_AUTHOR
    if actor1 is not None:
        ev.actor1, ev.inter1 = actor1.actor.name_en, actor1.actor.inter
        ev.add_evidence("actor1", actor1.evidence)
        _actor_provenance(ev, "actor1", actor1)
    elif "actor1" not in ev.reasons:
        ev.reasons["actor1"] = "no known actor named in the event's sentence"
    if actor2 is not None:
        ev.actor2, ev.inter2 = actor2.actor.name_en, actor2.actor.inter
        ev.add_evidence("actor2", actor2.evidence)
        _actor_provenance(ev, "actor2", actor2)
    elif head.event_type == "Violence against civilians" or civilian_victims or ev.sub_event_type == "Arrests":
        civ = next((a for a in kb.actors.values() if a.name_en == "Civilians (Syria)"), None)
        if civ is not None:
            ev.actor2, ev.inter2 = civ.name_en, civ.inter
            # ACLED codes the people an authority detains as civilians unless they are named as
            # members of a group
            ev.reasons["actor2"] = ("victims described as civilians (civilian cue words)"
                                    if head.event_type == "Violence against civilians" or civilian_victims
                                    else "the detained are named as no group: coded as civilians")
    elif "actor2" not in ev.reasons:
        ev.reasons["actor2"] = "one-sided event or second actor not named"
    if _protesters_first(ev) and ev.inter2:
        # CODEBOOK/ACLED: the force that used violence on the demonstrators is the first actor
        _swap_actors(ev)
    main_ids = {ev.actor1, ev.actor2}
    for side, field_name, main in (("assoc1", "assoc_actor_1", ev.actor1), ("assoc2", "assoc_actor_2", ev.actor2)):
        names: list[str] = []
        # a side with no actor has no associates (the backer of what a peaceful protest is against)
        for f in group.frames if main else ():
            for a in getattr(f, side):
                if a.actor.name_en not in main_ids and a.actor.name_en not in names:
                    names.append(a.actor.name_en)
                    ev.add_evidence(field_name, a.evidence)
        setattr(ev, field_name, "; ".join(names))
    if abroad and not ev.location:
        # an event abroad: generic actors take that country ("Protesters (Egypt)")
        for field_name in ("actor1", "actor2"):
            name = getattr(ev, field_name)
            if name.endswith("(Syria)") and _is_generic_name(kb, name):
                setattr(ev, field_name, name.removesuffix("(Syria)") + f"({abroad})")
    ev.interaction = interaction(ev.inter1, ev.inter2)
    if ev.inter2 == "Civilians" and ev.event_type in ("Violence against civilians", "Explosions/Remote violence"):
        ev.civilian_targeting = "Civilians targeted"
    # time
    dated = (next((f for f in group.frames if f.own_date), None)
             or next((f for f in group.frames if f.date_evidence is not None), None) or head)
    if dated.date is not None:
        ev.event_date = dated.date.isoformat()
        ev.year = dated.date.year
        ev.time_precision = dated.time_precision
        ev.add_evidence("event_date", dated.date_evidence)
        if not dated.own_date or "multi-day" in dated.date_reason:
            ev.reasons["event_date"] = dated.date_reason
    else:
        ev.reasons["event_date"] = dated.date_reason
    # place
    # the most precise place named in an event sentence (a town over the region its report was
    # also told at: _fold_regions_into_towns), the first of equals
    named = [f for f in group.frames if f.place is not None and f.place_reason.startswith("place named in")]
    placed = min(named, key=lambda f: f.place.geo_precision, default=None)
    placed = placed or next((f for f in group.frames if f.place is not None), None)
    if placed is not None and placed.place is not None:
        m = placed.place
        point = m.point
        ev.admin1, ev.admin2, ev.admin3 = point["admin1"], point["admin2"], point["admin3"]
        ev.location = point["location"]
        ev.latitude, ev.longitude = round(point["lat"], 4), round(point["lon"], 4)
        ev.geo_precision = m.geo_precision or 1
        ev.gazetteer_id = point["id"]
        ev.add_evidence("location", Evidence(m.start_char, m.end_char, m.text))
        ev.reasons["location"] = f"{placed.place_reason}; {m.reason}"
    else:
        reason = head.place_reason or "no place found"
        for key in ("admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision"):
            ev.reasons[key] = reason
        ev.country = abroad
        ev.iso = 0
        ev.region = ""
    # fatalities: the lowest figure among the reports of this event; a vague count ("عدد من
    # الضحايا": 3) only when no report gives a figure
    figures = [f for f in group.frames if f.fatality_evidence is not None]
    if figures:
        lowest = min(figures, key=lambda f: (f.fatalities_vague, f.fatalities))
        ev.fatalities = lowest.fatalities
        ev.add_evidence("fatalities", lowest.fatality_evidence)
        told = lowest.reasons.get("fatalities", "")
        if told == FOLLOW_UP_TOLL or SPLIT_EVENLY in told:
            ev.reasons["fatalities"] = told
    else:
        aside = next((f.reasons["fatalities"] for f in group.frames
                      if "is not this event's toll" in f.reasons.get("fatalities", "")), "")
        ev.reasons["fatalities"] = f"0: {aside}" if aside else "no death toll reported: 0"
    if ev.event_date:
        date_actor_names(ev, kb, ev.event_date, "the event date")
    else:
        date_actor_names(ev, kb, latest_mentioned, "the latest date the document mentions")
    if ev.actor2 and ev.actor2 == ev.actor1:
        # "طائرات اسرائيلية" ... "اسرائيل": one force under the rows of two periods is one side
        ev.reasons["actor2"] = f"{ev.actor2} is the first actor too (named by rows of two periods): one side"
        ev.actor2, ev.inter2 = "", ""
        ev.evidence.pop("actor2", None)
        ev.interaction = interaction(ev.inter1, ev.inter2)
    ev.notes = note(ev)
    for f in group.frames:
        ev.add_evidence("notes", Evidence(f.sentence.start_char, f.sentence.end_char, f.sentence.text))
    ev.confidence = _confidence(ev, group)
    ev.timestamp = None
    return ev


#: Sub-event types whose unnamed author is the author of the same kind of attack told before it in
#: the report: a campaign of shelling or air strikes, a battle, told place by place.
CAMPAIGN_TYPES = frozenset({"Shelling/artillery/missile attack", "Air/drone strike", "Armed clash",
                            "Government regains territory", "Non-state actor overtakes territory"})


def inherit_unnamed_authors(events: list[Event], accepted: list[bool]) -> None:
    """"قصفت قوات النظام مدينة كفرنبل ... كما طال القصف بلدة حاس": an attack of a campaign whose
    sentence names no author (none, or the unidentified armed group of the default) is the author's
    of the attack of the same event type told before it in the report (``events`` in text order;
    ``accepted``: those the rules accept, the only ones that can lend an author)."""
    last: dict[str, Event] = {}
    last_air: dict[str, Event] = {}  # ... by a state's or a foreign force, which may have warplanes
    for ev, ok in zip(events, accepted, strict=True):
        named = ev.actor1 and ev.reasons.get("actor1") != UNNAMED_AUTHOR
        if not named and ev.sub_event_type in CAMPAIGN_TYPES:
            # warplanes are a state's: an air strike takes the author of the last attack by a state's forces
            before = (last_air if ev.sub_event_type == "Air/drone strike" else last).get(ev.event_type)
            if before is not None and before.actor1 != ev.actor2:
                ev.actor1, ev.inter1 = before.actor1, before.inter1
                ev.interaction = interaction(ev.inter1, ev.inter2)
                for span in before.evidence.get("actor1", []):
                    ev.add_evidence("actor1", span)
                ev.reasons["actor1"] = (f"no author named in its sentence: {before.actor1}, the author of the "
                                        f"{ev.event_type.lower()} told before it in the report")
                ev.notes = note(ev)
        elif named and ok:
            last[ev.event_type] = ev
            if ev.inter1 in AIR_FORCES:
                last_air[ev.event_type] = ev


def _protesters_first(ev: Event) -> bool:
    """Excessive force with the protesters as actor1: the force is actor2, or not named."""
    return ev.sub_event_type == "Excessive force against protesters" and ev.inter1 == "Protesters"


def _swap_actors(ev: Event) -> None:
    """Actor1 and actor2 trade places, with their inter codes, evidence and reasons."""
    ev.actor1, ev.actor2 = ev.actor2, ev.actor1
    ev.inter1, ev.inter2 = ev.inter2, ev.inter1
    for table in (ev.evidence, ev.reasons):
        first, second = table.pop("actor1", None), table.pop("actor2", None)
        if second is not None:
            table["actor1"] = second
        if first is not None:
            table["actor2"] = first


def _actor_provenance(ev: Event, field_name: str, m) -> None:
    """The member the text names for the group, and a note when only the NER model knew it."""
    if m.person is not None:
        ev.add_evidence(field_name, m.person)
    if m.actor.actor_id.startswith(NER_ACTOR_PREFIX):
        ev.reasons[field_name] = m.actor.note


def _is_generic_name(kb, name: str) -> bool:
    return any(a.name_en == name and a.is_generic for a in kb.actors.values())


def _trigger_ev(f: Frame) -> Evidence:
    return Evidence.of(f.trigger_span)


def _confidence(ev: Event, group: Group) -> float:
    score = 0.35
    score += 0.15 if ev.actor1 else 0
    score += 0.1 if ev.actor2 else 0
    score += 0.15 if ev.geo_precision == 1 else (0.08 if ev.location else 0)
    score += 0.15 if "event_date" in ev.evidence else 0.05
    score += 0.05 * min(len(group.frames) - 1, 2)
    return round(min(score, 0.99), 2)


def date_actor_names(ev: Event, kb: KnowledgeBase, anchor: str | None, basis: str) -> None:
    """Name the actors for the period ``anchor`` falls in (the event's date, else the document's
    publication date, else the latest date the document mentions: ``basis`` says which), never a
    period that starts after it; with no date, the names without their period."""
    changed = []
    for name in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2"):
        value = getattr(ev, name)
        if not value:
            continue
        parts = []
        for part in value.split("; "):
            new, why = kb.name_on(part, anchor)
            if new != part:
                changed.append(f"{part} -> {new} ({why})")
            parts.append(new)
        setattr(ev, name, "; ".join(dict.fromkeys(parts)))
    if changed:
        ev.reasons["actor_period"] = f"period by {basis}: " + "; ".join(changed)
