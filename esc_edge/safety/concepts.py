"""Concept combinations: danger found as a set of ideas in one clause, in any order and wording.

The phrase rules in :mod:`~esc_edge.safety.lexicon` match sentences someone thought of; blind probe
rounds showed them missing a third to a half of new phrasings. Here each word or short phrase is
first mapped to a concept (an ingestion already done, "all of them", a medicine, a violent verb, a
child, a weapon, a height, ...), in the languages we cover, and a situation is a *combination* of
concepts present in the same clause: ``{taken, all, medicine}`` is an overdose whether it reads
"downed a full bottle of my antidepressants", "swallowed every one of her pills" or "tomei uma
caixa inteira de remedio". Combinations are weighted like rules and go through the same cancels
and dampers, so "took all my meds on time" and "in my novel she swallows the pills" stay safe.

Patterns run on folded text (see :mod:`~esc_edge.safety.normalise`); Chinese and Japanese terms
carry no word boundaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _terms(latin: str, cjk: str = "") -> re.Pattern[str]:
    parts = [rf"\b(?:{latin})\b"]
    if cjk:
        parts.append(f"(?:{cjk})")
    return re.compile("|".join(parts))


CONCEPTS: dict[str, re.Pattern[str]] = {
    "taken": _terms(
        r"took|taken|swallowed|downed|drank|drunk|injected|popped|necked|ate|chugged|overdosed|"
        r"tome|me tome|trague|bebi|pris|avale|bu|genommen|geschluckt|eingenommen|tomei|engoli|bebi|"
        r"выпил|выпила|приняла|принял|ingenomen|genomen|geslikt",
        r"吃了|吞了|喝了|服了|注射了|飲んだ",
    ),
    "all": _terms(
        r"all|whole|entire|full|every|everything|bunch|load|loads|lot|handful|box|boxes|bottle|bottles|"
        r"packet|packets|pack|packs|strip|strips|month of|week of|double|triple|\d{2,}|"
        r"todas|todos|toda|todo|caja|frasco|toute|tout|tous|toutes|boite|plaquette|alle|ganze|"
        r"packung|todas|inteira|inteiro|caixa|все|всю|целую",
        r"一整瓶|整瓶|全部|所有|一把|一盒|全部",
    ),
    "drug": _terms(
        r"pills?|tablets?|tabs|meds|medication|medications|medicine|medicines|prescriptions?|"
        r"paracetamol|acetaminophen|tylenol|ibuprofen|advil|aspirin|painkillers|antidepressants|"
        r"xanax|benzos|valium|diazepam|oxy|oxycodone|opioids|fentanyl|heroin|insulin|lithium|"
        r"seroquel|sertraline|zoloft|prozac|lexapro|ambien|tramadol|codeine|morphine|clonazepam|"
        r"klonopin|ativan|methadone|ketamine|sleeping pills|sleeping tablets|sleepers|"
        r"pastillas|pildoras|medicamentos|remedios|remedio|cachets|comprimes|medicaments|medocs|"
        r"somniferes|doliprane|tabletten|pillen|medikamente|schlaftabletten|comprimidos|"
        r"calmantes|таблетки|таблеток",
        r"药|安眠药|薬",
    ),
    "on_purpose": _terms(
        r"on purpose|deliberately|to die|so i dont wake up|so i wont wake up|to not wake up|"
        r"to make sure|to end it|to sleep forever|so it ends|a proposito|expres|absichtlich|"
        r"de proposito"
    ),
    "intent": _terms(
        r"going to|gonna|want to|will|ill|plan to|planning to|planning on|decided to|ready to|"
        r"about to|need to|have to|im taking|im going|quiero|voy a|me voy a|je veux|je vais|"
        r"ich will|ich werde|quero|vou|eu vou",
        r"要|想|准备|打算",
    ),
    "violence": _terms(
        r"hit|hits|hitting|beat|beats|beating|beaten|punch|punches|punched|punching|kick|kicks|"
        r"kicked|kicking|slap|slaps|slapped|slapping|choke|chokes|choked|choking|strangle|"
        r"strangles|strangled|strangling|stab|stabs|stabbed|stabbing|shoot|shoots|shooting|"
        r"attacked|attacking|dragged me|dragging me|slammed|slamming|smashed|smashing|pinned|"
        r"pinning|rape|raped|raping|assaulted|assaulting|"
        r"pega|pegando|pego|golpea|golpeando|golpeo|ahorca|ahorcando|frappe|frappee|cogne|tape|tabasse|"
        r"etrangle|schlagt|schlagen|schlug|wurgt|tritt|bate|batendo|bateu|espanca|espancando|"
        r"enforca|бьет|бьют|избивает|душит",
        r"打我|打她|打他|打妈妈|掐|踢|砍|捅|威胁|殴打",
    ),
    "victim": _terms(
        r"me|us|my (?:mom|mum|mother|sister|brother|dad|father|wife|husband|kids?|children|son|"
        r"daughter|baby|face|head|neck|throat)|her|him|mi mama|mi madre|a mi mama|a mi madre|"
        r"mi hermana|mi hermano|ma mere|ma soeur|mon frere|meine mutter|meine schwester|"
        r"meinen bruder|minha mae|minha irma|meu irmao|меня|маму",
        r"我|妈妈|我妈|脖子",
    ),
    "other": _terms(
        r"he|she|hes|shes|they|husband|wife|boyfriend|girlfriend|partner|ex|dad|father|stepdad|"
        r"stepfather|stepmom|stepmother|mom|mum|mother|brother|uncle|man|guy|someone|somebody|"
        r"stranger|babysitter|teacher|coach|neighbou?r|papa|padrastro|madrastra|esposo|marido|novio|"
        r"pere|mari|copain|beau pere|vater|mann|freund|stiefvater|pai|padrasto|namorado|муж|отец",
        r"他|她|老公|男朋友|爸爸|继父",
    ),
    "now": _terms(
        r"right now|now|tonight|today|currently|at the moment|in an hour|this minute|every night|"
        r"every day|tous les soirs|tous les jours|todas las noches|todos los dias|jeden (?:abend|tag)|"
        r"toda noite|todo dia|todos os dias|"
        r"ahora|ahora mismo|esta noche|hoy|maintenant|en ce moment|ce soir|jetzt|gerade|heute|"
        r"agora|hoje|сейчас",
        r"现在|正在|今晚|在",
    ),
    "weapon": _terms(
        r"knife|knives|gun|pistol|rifle|shotgun|bat|hammer|axe|machete|crowbar|gas can|petrol|"
        r"gasoline|lighter fluid|weapon|cuchillo|navaja|pistola|arma|couteau|pistolet|arme|messer|"
        r"pistole|waffe|faca|revolver|нож|пистолет",
        r"刀|枪",
    ),
    "child": _terms(
        r"(?:im|i am) (?:only |just )?(?:[4-9]|1[0-5])|jai (?:[4-9]|1[0-5]) ans|tengo (?:[4-9]|1[0-5]) anos|"
        r"tenho (?:[4-9]|1[0-5]) anos|ich bin (?:[4-9]|1[0-5])|"
        r"kid|kids|child|children|baby|babies|toddler|infant|newborn|son|daughter|little brother|"
        r"little sister|little one|little girl|little boy|niece|nephew|stepson|stepdaughter|"
        r"\d{1,2} year old|\d{1,2} month old|nino|nina|ninos|bebe|hijo|hija|hermanito|hermanita|"
        r"enfant|enfants|petite soeur|petit frere|kind|kinder|sohn|tochter|kleinen bruder|"
        r"kleine schwester|crianca|filho|filha|irmaozinho|irmazinha|ребенок|сына|дочь",
        r"孩子|宝宝|儿子|女儿|弟弟|妹妹|小孩",
    ),
    "confine": _terms(
        r"locks|locked|locking|shuts|shut|trapped|chained|tied up|encierra|encerrado|enferme|"
        r"enfermee|sperrt|eingesperrt|tranca|trancado",
    ),
    "confine_place": _terms(
        r"basement|cellar|closet|cupboard|shed|cage|attic|garage|sotano|armario|cave|placard|"
        r"keller|schrank|porao",
    ),
    "sexual": _terms(
        r"touches|touched|touching|molests?|molested|pics|nudes|naked|undress|hotel|sleep with|"
        r"his lap|her lap|private parts|privates|sex|sexual|toca|tocando|touche|fasst|beruhrt|"
        r"mexe",
    ),
    "adult": _terms(
        r"man|men|guy|adult|grown|older|\d\d year old|stranger|teacher|coach|uncle|stepdad|"
        r"boyfriend|dad|father|someone i met|met online|on instagram|on snapchat|on discord|online",
    ),
    "selfhurt": _terms(
        r"cut|cutting|cuts|carve|carved|carving|burn|burned|burnt|burning|scratch|scratched|"
        r"scratching|stab|stabbed|stabbing|slit|slash|slashed|bleed|bleeding|punched the mirror|"
        r"corte|cortando|cortarme|entaille|entaillee|coupe|coupee|scarifie|geritzt|ritze|ritzen|"
        r"schneide|cortei|cortando",
        r"割|划",
    ),
    "body": _terms(
        r"myself|my (?:arm|arms|wrist|wrists|thigh|thighs|leg|legs|skin|stomach|hips?|body|hand|"
        r"hands|face)|munecas?|brazos?|poignets?|bras|handgelenk\w*|arme|pulsos?|braco",
        r"手腕|手臂|胳膊",
    ),
    "blood": _terms(
        r"blood|bleeding|bleeds|pouring|sangre|sangrando|sangra|saigne|sang|blutet|blut|sangue|"
        r"sangrando|кровь",
        r"血",
    ),
    "height": _terms(
        r"bridge|cliff|cliffs|roof|rooftop|ledge|balcony|tracks|railway|overpass|tower|"
        r"top floor|puente|azotea|techo|vias|pont|toit|falaise|rails|brucke|dach|gleise|"
        r"ponte|telhado|trilhos|predio|мост|крыши",
        r"桥|楼顶|天台|楼上|楼",
    ),
    "jump": _terms(
        r"jump|jumping|leap|throw myself|step off|saltar|tirarme|aventarme|lanzarme|sauter|"
        r"me jeter|springen|springe|spring|werfen|pular|me jogar|aventar|one step|step off|прыгнуть",
        r"跳",
    ),
    "hang": _terms(r"noose|rope|soga|corde|strick|seil|corda|веревк\w*", r"绳|上吊"),
    "found_me": _terms(
        r"when (?:you|they|someone|she|he|mom|mum|dad|my \w+) (?:\w+ )?finds? me|find my body|"
        r"dont be mad at me when",
    ),
    "intruder": _terms(
        r"someone|somebody|a man|a guy|stranger|intruder|a person|un hombre|alguien|quelquun|"
        r"un homme|jemand|ein mann|alguem|um homem",
    ),
    "in_home": _terms(
        r"in my house|in the house|downstairs|upstairs|in my room|broke in|breaking in|at my window|"
        r"trying to get in|in my flat|in my apartment|en mi casa|chez moi|in meinem haus|na minha casa",
    ),
    "fear": _terms(
        r"scared|afraid|terrified|help me|please help|i can hear (?:him|her|them|someone)|"
        r"hear (?:him|her|them|someone) (?:downstairs|upstairs|inside|in the)|miedo|peur|angst|medo",
    ),
    "aimed": _terms(
        r"threatening me|threatens me|threatened me|me amenaza|me amenazando|me ameacando|me menace|"
        r"bedroht mich|to my (?:throat|head|neck|chest|face)|at me|against my \w+|pointed|pointing|holding|"
        r"waving|came at me|coming at me|coming for me|a mi cuello|sur moi|auf mich",
    ),
    "ongoing": _terms(
        r"again|still|for an hour|for the last|for hours|keep|keeps|cant stop|right now|tonight|"
        r"on purpose|doing it now|need to bleed|want to",
    ),
    "accident": _terms(
        r"by accident|accidentally|cooking|chopping|shaving|stove|oven|ironing|curling iron|"
        r"straightener|kitchen knife slipped|paper cut|playing|sport|football|rugby|gym",
    ),
    "routine": _terms(
        r"on time|as prescribed|course of|finished the course|daily|every (?:day|morning|night)|"
        r"with food|as directed|prescribed|vitamins?|doctor said",
    ),
    "sport": _terms(
        r"shooting range|gun range|the range|at the range|hunting|target practice|targets|clay|paintball|"
        r"airsoft|boxing|sparring|martial arts|karate|judo|wrestling|"
        r"laser tag|nerf|fencing|chef|carving the|camping|fishing",
    ),
    "hang_point": _terms(
        r"neck|beam|hook|ceiling|closet rail|rail|tree|doorframe|door frame|bannister|banister|"
        r"knot|myself|ya tengo|cou|hals|pescoco",
    ),
    "smother": _terms(
        r"smother\w*|suffocat\w*|pillow over (?:his|her|its|their) face|held (?:him|her) under|"
        r"shake (?:him|her) (?:hard|until)|throw (?:him|her) against",
    ),
    "still_body": _terms(
        r"now its silent|went silent|is silent|stopped crying|gone quiet|limp|not moving|isnt moving|"
        r"wont move|heard a (?:thump|thud|crack|bang)",
    ),
    "poison_food": _terms(
        r"poison(?:ing)? (?:\w+ ){0,2}(?:tea|coffee|food|drink|dinner|meal|water|soup|wine|lunch)|"
        r"(?:put|putting|slip|slipping) (?:poison|rat poison|bleach|antifreeze|something) (?:\w+ ){0,2}in",
    ),
    "weapon_threat": _terms(
        r"(?:hes|shes|theyre|youre|he is|she is) (?:getting|gonna get|going to get) (?:the )?(?:knife|"
        r"gun|bat|blade|stabbed|shot)",
    ),
    "hiding": _terms(r"hiding|under the bed|in the closet|in the wardrobe|locked myself|escondid\w*|cache"),
    "unresponsive": _terms(
        r"not breathing|gurgling|unconscious|unresponsive|wont wake up|cant wake (?:him|her|them)|"
        r"wont respond|not responding|turning blue|lips are blue|no responde|ne respire|"
        r"atmet nicht|nao respira",
        r"不动|没有呼吸|叫不醒",
    ),
}


_ALL = (
    r"all|whole|entire|full|every|bunch of|load of|lot of|handful of|box of|bottle of|packet of|"
    r"pack of|strip of|month of|week of|all of|the rest of|\d{2,}|todas|todos|toda|una caja de|al mijn|"
    r"un frasco de|toute|tous|toutes|une boite de|alle|die ganze|eine ganze|uma caixa de|"
    r"(?:uma |una |une |la |a )?(?:caixa|caja|boite|frasco|cartela|plaquette) (?:inteira|inteiro|entera|"
    r"entero|entiere|complete|completa) de|все|целую"
)
_ALL_AFTER = r"inteira|inteiro|entera|entero|entiere|at once|all at once|in one go|de golpe|d un coup"
_DRUG_WORDS = CONCEPTS["drug"].pattern.split("|(?:")[0][len(r"\b(?:") : -len(r")\b")]
CONCEPTS["all_drug"] = re.compile(
    rf"\b(?:{_ALL}) (?:\w+ ){{0,3}}(?:{_DRUG_WORDS})\b|\b(?:{_DRUG_WORDS}) (?:\w+ ){{0,3}}(?:{_ALL_AFTER})\b"
    r"|(?:一整瓶|整瓶|全部|所有|一把|一盒)\w{0,3}(?:药|安眠药)|薬を全部"
)


@dataclass(frozen=True)
class Combo:
    name: str
    category: str
    signal: str
    weight: float
    needs: tuple[str, ...]
    any_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()


COMBOS: tuple[Combo, ...] = (
    # Overdoses: taken + "all of" a medicine, or a medicine taken on purpose.
    Combo("overdose_taken", "medical", "act", 0.85, ("taken", "all_drug"), none_of=("routine",)),
    Combo("overdose_purpose", "medical", "act", 0.9, ("taken", "drug", "on_purpose"), none_of=("routine",)),
    Combo("overdose_plan", "suicide", "intent", 0.85, ("intent", "all_drug", "on_purpose")),
    # Violence to the speaker or their family, by someone else (stronger when it is now).
    Combo(
        "violence_now", "abuse", "danger", 0.75, ("other", "violence", "victim", "now"), none_of=("sport",)
    ),
    Combo("violence", "abuse", "danger", 0.45, ("other", "violence", "victim"), none_of=("sport",)),
    Combo("weapon_on_me", "abuse", "danger", 0.75, ("other", "weapon", "aimed"), none_of=("sport",)),
    # Harm the speaker intends: a plan, a weapon and a violent act.
    Combo("harm_plan", "harm_others", "harm", 0.7, ("intent", "weapon", "violence"), none_of=("sport",)),
    # A child hurt by someone, shut in, approached sexually by an adult, or unresponsive.
    Combo("child_violence", "child_risk", "child", 0.7, ("child", "violence", "other")),
    Combo("child_confined", "child_risk", "child", 0.75, ("child", "confine", "confine_place")),
    Combo("child_sexual", "child_risk", "child", 0.75, ("child", "sexual", "adult")),
    Combo("child_unresponsive", "child_risk", "child", 0.9, ("child", "unresponsive")),
    Combo("child_smother", "child_risk", "child", 0.85, ("child", "smother")),
    Combo("child_still", "child_risk", "child", 0.6, ("child", "still_body"), ("violence", "fear", "other")),
    Combo("poison_food", "harm_others", "harm", 0.8, ("poison_food", "intent")),
    Combo("weapon_threat", "harm_others", "harm", 0.6, ("weapon_threat",)),
    # Self-harm: a hurting verb on the speaker's own body, going on now.
    Combo("selfharm", "self_harm", "act", 0.8, ("selfhurt", "body", "ongoing"), none_of=("accident",)),
    Combo("selfharm_blood", "self_harm", "act", 0.6, ("selfhurt", "body", "blood"), none_of=("accident",)),
    # A height and a jump, a rope and where to tie it.
    Combo("jump_height", "suicide", "means", 0.6, ("jump", "height"), ("intent", "now")),
    Combo("hang_plan", "suicide", "means", 0.6, ("hang", "hang_point"), ("intent", "now")),
    # Being found, a stranger at home, someone unresponsive.
    Combo("found_me", "suicide", "goodbye", 0.6, ("found_me",)),
    Combo("intruder", "abuse", "danger", 0.7, ("intruder", "in_home"), ("fear", "hiding")),
    Combo("unresponsive", "medical", "emergency", 0.6, ("unresponsive",), ("other", "blood")),
)


def concepts_in(clause: str, cancels: list[tuple[int, int]]) -> set[str]:
    """Concepts with at least one mention in ``clause`` that no idiom or negation covers."""
    found: set[str] = set()
    for name, pattern in CONCEPTS.items():
        for match in pattern.finditer(clause):
            start, end = match.span()
            if not any(c_start < end and start < c_end for c_start, c_end in cancels):
                found.add(name)
                break
    return found


def combos_in(clause: str, cancels: list[tuple[int, int]]) -> list[Combo]:
    present = concepts_in(clause, cancels)
    return [
        combo
        for combo in COMBOS
        if all(n in present for n in combo.needs)
        and (not combo.any_of or any(n in present for n in combo.any_of))
        and not any(n in present for n in combo.none_of)
    ]
