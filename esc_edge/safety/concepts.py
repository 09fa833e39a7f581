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
        r"выпил|выпила|приняла|принял|ingenomen|genomen|geslikt|se tomo|se trago|trago|tomou|engoliu|"
        r"bebeu|comeu|verschluckt|getrunken|gegessen|a avale|a bu|a mange|snorted|se bebio|bebio|avale|"
        r"avalou|ingirio|bebido|tragado|se ha bebido|se ha tragado|se ha comido|angebissen|"
        r"runtergeschluckt|avalee|mordeu|mordio|mordu",
        r"吃了|吞了|喝了|服了|注射了|飲んだ|吃下去|吞下去|咬破",
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
        r"calmantes|таблетки|таблеток|jarabe|xarope|sirop|hustensaft|cough syrup|cocaine|mdma|"
        r"ecstasy|ghb|adhd meds|pastis|ibuprofenos|paracetamoles|rivotril|alprazolam|lorazepam|zolpidem|"
        r"tavor|lexotan|stilnox|ibuprofene",
        r"药|安眠药|薬|糖浆",
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
        r"enforca|бьет|бьют|избивает|душит|mache ihn fertig|fertig machen|casser la tete|partir la cara|"
        r"quebrar a cara|romperle|apunalo|apunalar|apunalarlo|acuchillar\w*|poignarder|poignarde|erstechen|"
        r"abstechen|esfaquear|esfaqueio|kalt machen|mach \w+ kalt|mache \w+ kalt|me las paga\w*|"
        r"acabo com|sort out the|sort (?:him|them|her) out|rociar\w*",
        r"打我|打她|打他|打妈妈|掐|踢|砍|捅|威胁|殴打|打孩子|被打|挨打|打死|弄死|泼汽油",
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
        r"stranger|babysitter|teacher|coach|neighbou?r|papa|padrastro|madrastra|esposo|marido|novio|vecino|"
        r"voisin|nachbar|vizinho|vizinha|"
        r"pere|mari|copain|beau pere|vater|mann|freund|stiefvater|pai|padrasto|namorado|муж|отец|il|elle|"
        r"ele|ela|er|"
        r"typ|typen|mec|ex|flatmate|roommate|mitbewohner|colocataire",
        r"他|她|老公|男朋友|爸爸|继父|邻居|隔壁",
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
        r"pistole|waffe|faca|revolver|нож|пистолет|axt|hache|hacha|machado|marteau|martillo|martelo|"
        r"gewehr|fusil|escopeta|espingarda|carabine|carabina|bate|batte|baseballschlager|gasolina|essence|"
        r"benzin",
        r"刀|枪|斧|锤|球棒|汽油",
    ),
    "child": _terms(
        r"(?:im|i am) (?:only |just )?(?:[4-9]|1[0-5])|jai (?:[4-9]|1[0-5]) ans|tengo (?:[4-9]|1[0-5]) anos|"
        r"tenho (?:[4-9]|1[0-5]) anos|ich bin (?:[4-9]|1[0-5])|"
        r"kid|kids|child|children|baby|babies|toddler|infant|newborn|son|daughter|little brother|"
        r"little sister|little ones?|little girl|little boy|niece|nephew|stepson|stepdaughter|"
        r"\d{1,2} year old|\d{1,2} month old|nino|nina|ninos|bebe|hijo|hija|hermanito|hermanita|"
        r"enfant|enfants|petite soeur|petit frere|kind|kinder|sohn|tochter|kleinen bruder|"
        r"kleine schwester|crianca|filho|filha|irmaozinho|irmazinha|ребенок|сына|дочь|ma fille|mon fils|"
        r"mon bebe|le bebe|petit voisin|petite voisine|fille de \d+ ans|fils de \d+ ans|\d+ ans|\d+ anos|"
        r"\d+ jahre|kleiner|kleine|"
        r"nachbarskinder|kleinkind|mi bebe|meu bebe|o bebe|el bebe|mi hijo|mi hija|meu filho|minha filha",
        r"孩子|宝宝|儿子|女儿|弟弟|妹妹|小孩|岁|我妹|我弟|初中|小学",
    ),
    "confine": _terms(
        r"locks|locked|locking|shuts|shut|trapped|chained|tied up|encierra|encerrado|encerrada|enferme|"
        r"menferme|"
        r"enfermee|sperrt|eingesperrt|tranca|trancado",
        r"关在|锁在|被关",
    ),
    "confine_place": _terms(
        r"basement|cellar|closet|cupboard|shed|cage|attic|garage|sotano|armario|cave|placard|"
        r"keller|schrank|porao|locked room|room all day|room for days",
        r"柜子|衣柜|阳台|地下室|小黑屋",
    ),
    "sexual": _terms(
        r"touches|touched|touching|molests?|molested|pics|nudes|naked|undress|hotel|sleep with|"
        r"his lap|her lap|private parts|privates|sex|sexual|toca|tocando|touche|fasst|beruhrt|"
        r"mexe",
    ),
    "adult": _terms(
        r"man|men|guy|adult|grown|older|\d\d year old|stranger|teacher|coach|uncle|stepdad|"
        r"boyfriend|dad|father|someone i met|met online|on instagram|on snapchat|on discord|online|homme|"
        r"hombre|"
        r"homem|padrasto|padrastro|beau pere|stiefvater|profe|professor|lehrer|entrenador|"
        r"trainer|treinador|onkel|oncle|tio|\d\d ans|\d\d anos|\d\d jahre",
        r"老师|继父|叔叔|男人|教练",
    ),
    "selfhurt": _terms(
        r"cut|cutting|cuts|carve|carved|carving|burn|burned|burnt|burning|scratch|scratched|"
        r"scratching|stab|stabbed|stabbing|slit|slash|slashed|bleed|bleeding|punched the mirror|"
        r"corte|cortando|cortarme|entaille|entaillee|coupe|coupee|scarifie|geritzt|ritze|ritzen|"
        r"schneide|cortei|cortando|ouvert les|ouvrir les|aufgeschnitten|aufgeschlitzt|abri os|abriu os|"
        r"abrio las|abrirme las|passei a lamina",
        r"割|划|烫|烧",
    ),
    "body": _terms(
        r"myself|my (?:arm|arms|wrist|wrists|thigh|thighs|leg|legs|skin|stomach|hips?|body|hand|"
        r"hands|face)|munecas?|brazos?|poignets?|bras|handgelenk\w*|arme|pulsos?|braco",
        r"手腕|手臂|胳膊|自己",
    ),
    "blood": _terms(
        r"blood|bleeding|bleeds|pouring|sangre|sangrando|sangra|saigne|sang|blutet|blut|sangue|"
        r"sangrando|кровь|escorrendo|escorre|chorreando|coule partout|lauft runter",
        r"血",
    ),
    "height": _terms(
        r"bridge|cliff|cliffs|roof|rooftop|ledge|balcony|tracks|railway|overpass|tower|"
        r"top floor|puente|azotea|techo|vias|pont|toit|falaise|rails|brucke|dach|gleise|"
        r"ponte|telhado|trilhos|predio|мост|крыши|fenetre|ventana|janela|fenster|car park|parking garage",
        r"桥|楼顶|天台|楼上|楼|窗",
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
        r"trying to get in|in my flat|in my apartment|en mi casa|chez moi|in meinem haus|na minha casa|"
        r"dentro de (?:mi|la) casa|dans ma maison|im haus|dentro de casa|in meiner wohnung|in der wohnung|"
        r"en mi piso|en mi departamento|dans mon appart\w*|no meu apartamento|im flur|in the hallway",
        r"在我家|家里有人",
    ),
    "fear": _terms(
        r"scared|afraid|terrified|help me|please help|i can hear (?:him|her|them|someone)|"
        r"hear (?:him|her|them|someone) (?:downstairs|upstairs|inside|in the)|miedo|peur|angst|medo|"
        r"footsteps|hor schritte|hore schritte|oigo pasos|jentends des pas|ouco passos|bin allein|"
        r"im (?:home )?alone|estoy sola?|je suis seule?|estou sozinha?",
        r"一个人在家|脚步声|害怕",
    ),
    "aimed": _terms(
        r"threatening me|threatens me|threatened me|me amenaza|me amenazando|me ameacando|me menace|"
        r"bedroht mich|to my (?:throat|head|neck|chest|face)|at me|against my \w+|pointed|pointing|holding|"
        r"waving|came at me|coming at me|coming for me|a mi cuello|sur moi|auf mich|me persigue|"
        r"persiguiendome|viene hacia mi|me poursuit|court apres moi|verfolgt mich|jagt mich|me persegue|"
        r"vem pra cima de mim|correndo atras de mim",
        r"追我|冲我|对着我|指着我",
    ),
    "ongoing": _terms(
        r"again|still|for an hour|for the last|for hours|keep|keeps|cant stop|right now|tonight|"
        r"on purpose|doing it now|need to bleed|want to|so close to",
        r"好想|想要|现在|在手里",
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
        r"knot|myself|ya tengo|cou|hals|pescoco|cuello|viga|gancho|techo|arbol|poutre|crochet|plafond|"
        r"arbre|balken|haken|decke|baum|teto|arvore|wald|forest|woods|bosque|foret|bois|floresta|mato",
        r"脖子|横梁|房梁|钩子|树上|树林",
    ),
    "smother": _terms(
        r"smother\w*|suffocat\w*|pillow over (?:his|her|its|their) face|held (?:him|her) under|"
        r"shake (?:him|her) (?:hard|until)|throw (?:him|her) against|shook (?:him|her|them|"
        r"the baby)\b(?! (?:head|hand|"
        r"hands|off|awake|up))|(?:threw|thrown|throws|throw|slammed) (?:\w+ ){0,2}(?:against|into) the wall",
    ),
    "still_body": _terms(
        r"now its silent|went silent|is silent|stopped crying|gone quiet|limp|floppy|not moving|isnt moving|"
        r"wont move|heard a (?:thump|thud|crack|bang)",
    ),
    "poison_food": _terms(
        r"poison(?:ing)? (?:\w+ ){0,2}(?:tea|coffee|food|drink|dinner|meal|water|soup|wine|lunch)|"
        r"(?:put|putting|slip|slipping) (?:poison|rat poison|bleach|antifreeze|something) (?:\w+ ){0,2}in|"
        r"envenenar|envenenarle|empoisonner|vergiften|vergifte",
        r"下毒|投毒",
    ),
    "weapon_threat": _terms(
        r"(?:hes|shes|theyre|youre|he is|she is) (?:getting|gonna get|going to get) (?:the )?(?:knife|"
        r"gun|bat|blade|stabbed|shot)",
    ),
    "hiding": _terms(r"hiding|under the bed|in the closet|in the wardrobe|locked myself|escondid\w*|cache"),
    "unresponsive": _terms(
        r"not breathing|gurgling|unconscious|unresponsive|wont wake up|cant wake (?:him|her|them)|"
        r"wont respond|not responding|turning blue|lips are blue|no responde|ne respire|"
        r"atmet nicht|nao respira|ne reagit plus|ne repond plus|respire (?:bizarrement|mal|difficilement)|"
        r"reagiert nicht|atmet komisch|nao reage|respira (?:estranho|mal)|no reacciona|respira raro|"
        r"barely breathing|snoring noises|making snoring|blue around the lips|breathing weird|"
        r"breathing funny|won ?t wake properly|wont wake properly|repond plus|respire bizarre|"
        r"reagiert nicht mehr",
        r"不动|没有呼吸|叫不醒|没反应|呼吸很怪|呼吸困难",
    ),
    # round 6: danger named by what is at hand, the edge, a substance, the body's alarms
    "at_hand": _terms(
        r"in my hand|in my hands|in my lap|in front of me|next to me|on the desk|lined up|counted out|"
        r"en la mano|en mi mano|en las manos|delante de mi|frente a mi|dans ma main|dans la main|"
        r"devant moi|vor mir|in der hand|in meiner hand|na mao|na minha mao|na minha frente|neben mir liegen|"
        r"liegt neben mir|"
        r"do meu lado|a mi lado|a cote de moi|neben mir",
        r"在我手里|在手里|手里|在我面前|在身边",
    ),
    "edge": _terms(
        r"edge|ledge|railing|rail|parapet|borde|barandilla|baranda|cornisa|rebord|bord|garde corps|"
        r"rambarde|gelander|kante|brustung|beira|parapeito|grade|corrimao",
        r"边上|边缘|栏杆|窗台|边",
    ),
    "hazard": _terms(
        r"button battery|battery|batteries|coin cell|magnets?|bleach|dishwasher tablets?|dishwasher "
        r"detergent|detergent|washing liquid|washing pods?|laundry pods?|lamp oil|paraffin|antifreeze|"
        r"rat poison|weed killer|pesticide|drain cleaner|window cleaner|pila|pilas|bateria|iman|imanes|lejia|"
        r"lavavajillas|detergente|veneno|raticida|pile|pile bouton|aimant|javel|eau de javel|"
        r"lave vaisselle|produit (?:pour|menager|vaisselle)|deboucheur|knopfbatterie|batterie|magnet|chlor|"
        r"reiniger|spulmaschinentab\w*|waschmittel|rattengift|abflussreiniger|agua sanitaria|candida|"
        r"veneno de rato|chumbinho|soda caustica|remedio da avo|tabletten von der oma|grandmas pills|"
        r"desinfetante|desinfectante|limpiador|lavandina|lampenol|desinfektionsmittel|grannys pills",
        r"纽扣电池|电池|磁铁|洗洁精|消毒液|漂白|洗衣液|老鼠药|农药|洗衣球|凝珠",
    ),
    "mixed": _terms(r"mixed|mixing|mezcle|mezclando|melange|gemischt|misturei|misturando", r"混"),
    "chemical": _terms(
        r"bleach|ammonia|cleaning products|cleaners|chemicals|lejia|amoniaco|productos de limpieza|javel|"
        r"ammoniaque|produits menagers|chlor|chlorreiniger|putzmittel|agua sanitaria|cloro|amonia",
        r"消毒液|漂白|洁厕灵|清洁剂",
    ),
    "breath_sym": _terms(
        r"coughing|cough|cant breathe|can t breathe|cant stop coughing|burns to breathe|chest is burning|"
        r"chest burning|wheezing|no puedo respirar|me arde|tosiendo|je narrive pas a respirer|brule|tousse|"
        r"kriege keine luft|brennt|huste|nao consigo respirar|queima|tossindo",
        r"喘不过气|咳|呼吸困难",
    ),
    "co_source": _terms(
        r"co alarm|carbon monoxide|co detector|heater|boiler|generator|gas fire|brazier|charcoal inside|"
        r"stove on all night|monoxido de carbono|monoxyde de carbone|kohlenmonoxid|monoxido|brasero|"
        r"gas del horno|gas de la cocina|gas abierto|gaz ouvert|gaz de la cuisiniere|gashahn|gasherd|"
        r"gas do fogao|gas aberto|braseiro|detector de co|detecteur de co|co melder",
        r"一氧化碳|煤气|燃气|炭火|烧炭",
    ),
    "co_sym": _terms(
        r"dizzy|headaches?|sleepy|drowsy|wont wake|won t wake|feel sick|feel faint|confused|mareado|mareada|"
        r"dolor de cabeza|somnolient[oa]|tonta|tonto|tontura|dor de cabeca|sonolent[oa]|mal a la tete|"
        r"mal de tete|vertiges?|etourdie?|somnolente?|schwindlig|kopfschmerzen|benommen|mude",
        r"头晕|头疼|头痛|想睡|恶心",
    ),
    "stroke": _terms(
        r"face (?:is )?drooping|drooping on one side|droopy face|one side of (?:his|her|my) face|"
        r"words (?:are )?coming out wrong|slurring|slurred|cant speak properly|cant lift (?:his|her|my) arm|"
        r"cara caida|no puede hablar bien|visage (?:tombe|paralyse)|ne peut plus parler|gesicht hangt|"
        r"nicht mehr richtig sprechen|arm hangt|rosto caido|nao consegue falar|no puede mover el lado|"
        r"cant move (?:his|her|my) (?:right|left) (?:side|arm)|ne peut plus bouger|"
        r"kann (?:\w+ )?nicht (?:mehr )?"
        r"bewegen|nao consegue mexer|habla raro|parle bizarrement|spricht komisch|fala enrolado|boca torta|"
        r"nao consegue levantar o braco|redet wirr",
        r"脸歪|口齿不清|说话不清|半边脸|嘴歪|半边身子|半边身体|半身不遂|一边身子",
    ),
    "diabetic": _terms(
        r"insulin|diabetic|diabetes|hypo|blood sugar|insulina|diabetico|diabetique|"
        r"diabetiker"
    ),
    "confused": _terms(
        r"confused|not making sense|shaky|sweaty|sweating|cant think|drowsy|wont wake|slurring|passing out|"
        r"confundida|confundido|confuse|verwirrt|confusa|confuso",
    ),
    "chest": _terms(
        r"chest (?:is )?(?:crushing|pain|hurts|tight)|crushing (?:chest )?pain|mal a la poitrine|"
        r"dolor (?:de|en el) pecho|brustschmerz\w*|schmerzen in der brust|dor no peito|"
        r"douleur (?:dans|a) la poitrine|mal au (?:coeur|thorax)|dolor en el pecho|aperto no peito|"
        r"aprieta el pecho|oppression (?:dans|a) la poitrine|engegefuhl",
        r"胸口疼|胸痛|胸口痛",
    ),
    "chest_more": _terms(
        r"left arm|my arm|jaw|sweating|transpire|suda|sudando|schwitzt|suando|cant breathe|short of breath|"
        r"dans le bras|en el brazo|in den arm|no braco|se puso gris|grau|gris|cinza|grey|gray|"
        r"collapsed",
        r"出汗|左臂",
    ),
    "seizure": _terms(
        r"fitting|seizure|seizing|convulsing|convulsions?|krampfanfall|crise d epilepsie|"
        r"convulsiones|convulsao|convulsionando|krampft|krampfen|convulsion|convulsionne|fait une crise|"
        r"tendo convulsao|convulsando",
        r"抽搐|惊厥",
    ),
    "not_stopping": _terms(
        r"not stopping|wont stop|five minutes|5 minutes|ten minutes|for minutes|"
        r"keeps going"
    ),
    "swelling": _terms(
        r"throat (?:is )?(?:getting |going )?(?:tight|closing|swelling)|lips (?:are )?swelling|"
        r"tongue (?:is )?swelling|face (?:is )?swelling|cant swallow",
    ),
    "too_much": _terms(
        r"way too much|too much|too many|way too many|demasiad[oa]s?|trop de|zu viel\w*|"
        r"demais",
        r"太多",
    ),
    "alone_long": _terms(
        r"allein|alone for|home alone|by themselves|seit gestern|seit tagen|for days|all day|since yesterday|"
        r"solos?|solas?|seuls?|seules?|sozinh\w*|todo el dia|toute la journee|den ganzen tag|o dia todo|"
        r"seit stunden|for hours|a noite toda|toda la noche|toute la nuit|die ganze nacht|en pleine nuit|"
        r"all night|on their own|on (?:his|her) own|since (?:friday|saturday|sunday|monday|yesterday|"
        r"last night)",
        r"一整天|好几个小时|好几天|一个人|一整夜|一个小时",
    ),
    # A farewell: someone asked to look after what is left, the speaker leaving and not coming back.
    "care_for": _terms(
        r"take care of (?:my|the) \w+ (?:for me|when|after)|look after (?:my|the) \w+ for me|feed (?:my|the) "
        r"(?:cat|dog|fish)|tell (?:them|her|him|mum|mom|dad|my \w+) (?:that )?i love(?:d)? (?:them|her|him|"
        r"you)|"
        r"cuida (?:a |de |do |da )?(?:mi|mis|meu|minha|meus|minhas) \w+ por (?:mi|mim)|cuidad a mi|"
        r"dile a (?:mi|mis) "
        r"\w+ que (?:la|lo|los|les) quiero|prends soin de (?:mon|ma|mes) \w+|dites a (?:mes|ma|mon) \w+ que "
        r"je (?:les|l)? ?aime|kummer dich um (?:meine|meinen|mein) \w+|sag (?:meiner|meinem|meinen) \w+ "
        r"(?:dass ich|ich) (?:sie|ihn) (?:liebe|lieb)|diga (?:a|pra|para) (?:minha|meu) \w+ que eu (?:amo|"
        r"te amo)|"
        r"not your fault|none of (?:it|this) (?:is|was) your fault|no (?:fue|es) (?:tu|su) culpa|"
        r"(?:ce nest|cetait) pas (?:ta|sa|votre) faute|nicht (?:deine|ihre|seine) schuld|nao (?:foi|e) "
        r"culpa (?:sua|dela|dele|tua)",
        r"帮我照顾|替我照顾|照顾好我的|告诉我(?:妈|爸|父母|家人)我爱|不是你的错|不是他们的错",
    ),
    "leaving": _terms(
        r"heading out now|im going now|im off now|leaving now|i have to go now|ya me voy|me voy ya|"
        r"je men vais|je pars maintenant|ich gehe jetzt|ich bin dann weg|eu vou embora|to indo embora|ja vou",
        r"我要走了|我走了|我先走了",
    ),
    "no_return": _terms(
        r"not coming back|wont be back|wont come back|never coming back|no voy a volver|no vuelvo|"
        r"je ne reviendrai pas|je reviendrai pas|ich komme nicht (?:mehr )?zuruck|nao vou voltar|"
        r"nao volto mais|or ever|ever again|fur immer|para sempre|para siempre|pour toujours|pour de bon|"
        r"for good",
        r"不会回来了|不回来了|再也不回来|下辈子见|来世再见|来生再见|不会再回头|不再回头",
    ),
    "farewell": _terms(
        r"goodbye|bye|farewell|adios|adieu|despedida|auf wiedersehen|lebwohl|tschuss|adeus|tchau|sorry for "
        r"everything|perdoname|perdon por todo|pardon pour tout|verzeih mir|me perdoa|desculpa por tudo|"
        r"thanks for everything|gracias por todo|merci pour tout|danke fur alles|obrigad[oa] por tudo|"
        r"me despedi de|"
        r"mich verabschiedet|said goodbye to (?:my|the) (?:cats?|dogs?|family)",
        r"再见|永别|对不起",
    ),
    "the_end": _terms(
        r"this is the end|its over now|c est la fin|cest la fin|c est fini|es el fin|se acabo todo|e o fim|"
        r"acabou tudo|das ist das ende|goodbye world|adios mundo|adeus mundo|sorry|desculpa|perdon|pardon|"
        r"verzeih|entschuldigung|das wars(?! mit)|se acabo|se acabou|cest fini|a quoi bon (?:continuer|"
        r"vivre)|"
        r"para que seguir|wozu (?:noch )?weiter\w*|pra que continuar|whats the point (?:anymore|"
        r"of living|of going on)|"
        r"mon enterrement|my funeral|mi (?:propio )?entierro|meine (?:eigene )?beerdigung|"
        r"meu (?:proprio )?enterro",
        r"结束了|世界|对不起|我的葬礼|有什么意义",
    ),
    "bought": _terms(r"bought|got myself|gekauft|compre|comprei|achete", r"买了|买好"),
    "future_take": _terms(
        r"nimmt|nehme|will (?:\w+ )?nehmen|va a tomar|voy a tomar|vai tomar|vou tomar|va prendre|"
        r"vais prendre|"
        r"gonna take|going to take|tomarme|me tomo|eu tomo|tomo tudo",
        r"要吃|准备吃|吃掉",
    ),
    "crying": _terms(
        r"crying|screaming|weint|weinen|schreit|llora|llorar|llorando|pleure|pleurer|chora|chorar|chorando|"
        r"lloran|gritan|pleurent|hurlent|schreien|choram|gritam|berram",
        r"哭|尖叫",
    ),
    "at_door": _terms(
        r"outside my door|at my door|vor (?:meiner|der) tur|a ma porte|devant ma porte|en mi puerta|"
        r"frente a mi puerta|na minha porta|na porta|na frente de casa|na frente da minha casa|"
        r"devant chez moi|"
        r"vor meinem haus|frente a mi casa|outside my house|outside the house",
        r"在门外|在门口|楼下|敲门|砸门",
    ),
    "fell": _terms(r"fell|fallen|gesturzt|se cayo|est tombee?|caiu", r"摔倒|摔了"),
    "head_hurt": _terms(
        r"hit (?:his|her|my) head|blutet am kopf|sangra (?:de|en) la cabeza|saigne de la tete|"
        r"sangrando na cabeca|redet wirr|confused|confundid[oa]|confus",
        r"头流血|头破|磕到头",
    ),
    "stockpile": _terms(
        r"stockpil\w*|hoard\w*|been saving|saved up|collecting|guardadas|guardado|ahorrando|juntando|"
        r"mis de cote|garde de cote|gesammelt|gehortet|aufgehoben|guardando|juntei|juntando|bereitgelegt",
        r"攒|存了|囤",
    ),
    # Set aside after looking up a lethal amount (not a stock by itself: "set the box aside for the flu").
    "set_aside": _terms(
        r"separei|ja separei|tengo separad\w*|jai mis de cote|set aside|put aside", r"准备好了"
    ),
    "how_many": _terms(
        r"how many (?:pills|tablets|of (?:them|my \w+))|cuantas (?:pastillas|pildoras)|combien de "
        r"(?:cachets|comprimes|pilules)|wie viele tabletten|quantos (?:comprimidos|remedios)|"
        r"(?:how much|cuanto|cuanta|quanto|quanta|combien|wie viel) (?:\w+ ){0,3}(?:is|es|e|est|ist) "
        r"(?:fatal|lethal|letal|mortal|mortel|todlich)",
        r"要吃多少|吃多少片|多少片",
    ),
    "day": _terms(
        r"tonight|tomorrow|friday|saturday|sunday|monday|tuesday|wednesday|thursday|this weekend|"
        r"esta noche|manana|el viernes|el sabado|el domingo|ce soir|demain|vendredi|samedi|dimanche|"
        r"heute nacht|morgen|freitag|samstag|sonntag|hoje a noite|amanha|sexta|sabado|domingo|fim de semana|"
        r"today|hoy|hoje|heute|aujourdhui",
        r"今晚|明天|周五|周六|周日|星期五|星期六|星期天|周末",
    ),
    "street": _terms(r"coke|cocaine|mdma|molly|ecstasy|bars|meth|ghb|ket|xanax|pills|meds|tabs|lines|g"),
    "did": _terms(r"did|done|had|took|taken|snorted|used|smoked|injected|dropped"),
    # round 11: situations holdout 12 and batch 8 showed missing outside English
    # A weapon already taken, bought or carried (the plan is made).
    "armed": _terms(
        r"in my (?:bag|backpack|pocket|jacket)|im rucksack|in der tasche|eingesteckt|dabei|hab ich schon|"
        r"habe ich schon|en la mochila|en el bolso|llevo|ya tengo|ya compre|dans mon sac|dans ma poche|"
        r"jai pris|"
        r"jai achete|na mochila|no bolso|levo|peguei|comprei|already bought|took (?:my )?(?:dads|fathers)|"
        r"stormed out with|ya compro",
        r"买好了|已经买|带着|带了|揣着|书包里",
    ),
    # Whom or where a carried weapon is meant for.
    "target": _terms(
        r"school|class|klasse|schule|escuela|escola|ecole|college|lycee|colegio|work|trabajo|trabalho|"
        r"boulot|arbeit|boss|jefe|chef|chefe|profe|teacher|lehrer|prof|professor|typen|guy|quem me zoa|"
        r"la salida|a la sortie|na saida|owes him",
        r"学校|公司|班上|门口等",
    ),
    "kitchen": _terms(
        r"cake|gateau|kuchen|bolo|pastel|tarta|bread|pain|brot|pao|pan|cook\w*|cocin\w*|kochen|cuisine|"
        r"cozinh\w*|vegetables|legumes|verduras|gemuse|chop\w*|couper le|cortar el|schneiden|peel\w*|"
        r"bbq|barbecue|grill\w*|asado|churrasco|pumpkin|allotment|garden|jardin|garten|jardim|hedge|firewood|"
        r"brennholz|lena|lenha|bois de chauffage",
        r"切菜|做饭|蛋糕|烧烤|花园|柴",
    ),
    # A parent's or someone's gun taken while they are away.
    "their_gun": _terms(
        r"(?:arma|pistola|escopeta|carabina|carabine|fusil|pistolet|pistole|gewehr|waffe|gun|rifle|shotgun) "
        r"(?:do|da|de|del|von|of) (?:meu|minha|mi|mon|ma|meinem|meiner|my) "
        r"(?:pai|padre|pere|vater|papa|dad|father|avo|abuelo|grand pere|opa|grandad|tio|onkel|oncle|uncle)|"
        r"(?:dads|fathers|grandads|uncles) (?:gun|rifle|shotgun|pistol)",
        r"(?:爸爸|我爸|爷爷)的枪",
    ),
    "away": _terms(
        r"so volta|nao volta|rentre pas|revient pas|kommt erst|nicht vor|no vuelve|vuelve el|hasta el|"
        r"not back|isnt back|away (?:until|till|for)|out (?:until|till)|weg bis|fora ate|absent",
        r"不在家|才回来",
    ),
    # "If I leave him he'll ...": a threat tied to leaving.
    "if_leave": _terms(
        r"if i (?:leave|left|break up with) (?:him|her)|si lo dejo|si la dejo|si me voy|si je (?:le |la )?"
        r"(?:quitte|pars)|wenn ich (?:gehe|ihn verlasse|sie verlasse|schluss mache)|se eu (?:o |a )?"
        r"(?:deixar|largar|terminar|for embora)",
        r"如果我离开|要是我离开|要是我走|如果我走|分手就",
    ),
    "kill_verb": _terms(
        r"kill|murder|matar\w*|mata|tuer|tue|umbringen|bringt \w+ (?:\w+ ){0,4}um|toten|mato",
        r"杀|弄死",
    ),
    "ex_partner": _terms(
        r"my ex|mi ex|mon ex|mein ex|meine ex|meu ex|minha ex|ex boyfriend|ex husband|exnovio|ex novio|"
        r"ex mari|ex freund|ex namorado|ex marido",
        r"前男友|前女友|前夫|前妻",
    ),
    # Pets, passwords, a will, a letter, belongings handed on: affairs put in order.
    "affairs": _terms(
        r"contrasenas|passwords|senhas|passworter|mots de passe|testament|testamento|todo ordenado|"
        r"alles geregelt|tout regle|tout est regle|tudo organizado|trie mes affaires|brief geschrieben|"
        r"carta (?:\w+ ){0,3}(?:porta|mesa)|lettre (?:pour|a) (?:ma|mon|mes)|carta para (?:mi|mis|minha|meu)|"
        r"(?:perro|gato|gatos|perrita) con (?:mi|la|el)|(?:katze|hund|katzen) (?:bei|zu) |"
        r"(?:cachorro|gato|gata) com (?:a|o|minha|meu)|donne mon (?:chat|chien)|deje (?:\w+ ){0,2}comida|"
        r"me despedi de|mich verabschiedet|gave (?:away )?(?:my|all my) \w+ (?:\w+ ){0,4}to my|"
        r"wont need (?:them|it|any of (?:it|them)) (?:after|anymore|where)|no (?:los|lo|"
        r"las) voy a necesitar|nao vou precisar|"
        r"nen aurai plus besoin|brauche (?:das|sie|es) nicht mehr",
        r"密码写给|猫也送人|狗也送人|送人了|遗嘱|遗书|用不上了",
    ),
    # The speaker will be gone soon: do not look for me, tomorrow I am dead.
    "gone_soon": _terms(
        r"no me busquen(?! hasta)|no me esperen(?! hasta)|no me busques|nao me procurem|nao me esperem|"
        r"ne me cherchez pas|"
        r"ne mattendez pas|sucht nicht nach mir|wartet nicht auf mich|dont look for me|dont wait for me|"
        r"(?:morgen|heute|dann) bin ich (?:tot|nicht mehr da|weg)|manana ya no|ya no estare|"
        r"je ne serai plus la|je serai plus la|nao vou estar mais aqui|vou sumir de vez|sumir de vez|"
        r"disparaitre pour de vrai|desaparecer (?:para siempre|de verdad)|after this weekend|"
        r"ce sera bientot|dann ist ruhe|not be here (?:tomorrow|by)|wont be here",
        r"不用担心我了|别找我|不要找我|不会再回头|明天就不在了",
    ),
    # Water the speaker cannot get out of.
    "at_water": _terms(
        r"hacia el mar|al mar|dans la mer|vers la mer|au bord de (?:leau|la riviere|la seine|la mer|"
        r"la loire)|"
        r"ins meer|in den fluss|am fluss|am ufer|na beira do (?:rio|mar)|para o mar|no rio|"
        r"into the (?:sea|river|lake)|by the river|at the river",
        r"江边|河边|海边|湖边|江里|河里",
    ),
    "cant_swim": _terms(
        r"cant swim|no se nadar|sais pas nager|kann nicht schwimmen|nao sei nadar",
        r"不会游泳",
    ),
    # Charcoal and sealing a space.
    "charcoal": _terms(r"charcoal|carbon|carvao|charbon|holzkohle|grillkohle|brasero|braseiro", r"木炭|炭"),
    "seal": _terms(
        r"sellar|seal (?:the|up|it)|sealing|tape (?:up )?the (?:windows|vents|door)|abdichten|abkleben|"
        r"calfeutrer|boucher les|vedar|fechar as janelas|tapar las rendijas",
        r"封(?:住|好|窗|门)|胶带",
    ),
    # A hazard a small child may have swallowed: out of sight or in the mouth.
    "hazard_lost": _terms(
        r"is missing|cant find (?:it|the)|chewing|sucking on|in (?:his|her) mouth|no (?:la |lo )?encuentro|"
        r"fehlt|finde (?:sie|ihn|es) nicht|nao acho|sumiu|je (?:ne )?(?:la |le )?trouve (?:pas|plus)",
        r"找不到|不见了|在嘴里",
    ),
    # A small child fell or was hurt and is now vomiting, limp or drowsy.
    "after_fall": _terms(
        r"vomit\w*|throwing up|limp|floppy|molinho|mole|schlapp|erbricht|vomi|flasque|sin fuerza|"
        r"wont wake|drowsy|sonolento|somnolent",
        r"呕吐|吐了|没精神|昏昏",
    ),
    "fell_child": _terms(
        r"fell (?:off|down|from)|caiu (?:da|do|de)|se cayo (?:de|del|por)|est tombee? (?:de|du|dans)|"
        r"(?:ist )?(?:von|die) (?:\w+ ){0,2}(?:gefallen|gesturzt|runtergefallen)",
        r"摔下来|从\w{0,4}摔|掉下来",
    ),
    # Trips, moves and holidays explain letters, keys and pets left with someone.
    "trip": _terms(
        r"de viaje|vacaciones|vacances|urlaub|ferias|erasmus|mudanza|mudanca|demenagement|umzug|moving|"
        r"holiday|vacation|je reviens|vuelvo el|volto (?:na|no|em)|komme (?:\w+ ){0,2}zuruck|back on|"
        r"blumengiessen|regar las plantas|arroser les plantes|regar as plantas|water the plants|"
        r"hasta el lunes",
        r"旅游|出差|搬家|度假|回来",
    ),
    "hot_car": _terms(
        r"in the car|en el (?:auto|coche|carro)|no carro|dans la voiture|im auto|im wagen",
        r"车里|车上",
    ),
    "secret": _terms(
        r"our (?:little )?secret|nuestro secreto|notre secret|unser geheimnis|nosso segredo|"
        r"dont tell (?:anyone|your|mom|mum|dad)|no le digas|ne le dis pas|sag es niemand|nao conta|"
        r"(?:delete|borrar|apagar|effacer|loschen) (?:\w+ ){0,1}(?:the |his |our |los |as |les |die )?"
        r"(?:messages|mensajes|mensagens|nachrichten|texts)",
        r"我们的秘密|不让\w{0,2}告诉|别告诉|不要告诉",
    ),
    "meet_up": _terms(
        r"rendez vous|meet (?:up|him|her)|quedar con|quedo con|encontrar com|encontro com|treffen|verabredet|"
        r"to his (?:house|place|flat)|a su casa|chez lui|zu ihm nach hause|na casa dele",
        r"见面|去他家|到他家",
    ),
    "wild_food": _terms(
        r"mushrooms (?:i|we) (?:picked|found)|wild mushrooms|setas|hongos|champignons|pilze|cogumelos|"
        r"berries (?:i|we) (?:picked|found)",
        r"野蘑菇|蘑菇|菌子",
    ),
    "sick_now": _terms(
        r"throwing up|vomiting|shaking|seeing things|hallucinat\w*|vomitando|vomito|vomi|vomis|erbreche|"
        r"kotze|tremblo|tremble|zittere|tremendo",
        r"吐|发抖|幻觉",
    ),
    # Driving into something solid.
    "crash_into": _terms(
        r"(?:drive|driving|steer|swerve|swerving|crash|crashing) (?:\w+ ){0,3}into (?:a|the|an|oncoming) "
        r"(?:tree|wall|bridge|pillar|lorry|truck|traffic)|(?:fahr|fahre|rase|knall\w*) (?:\w+ ){0,4}gegen "
        r"(?:den|einen|die|eine) (?:baum|mauer|wand|bruckenpfeiler|pfeiler|lkw|laster)|"
        r"(?:estrellar\w*|estampar\w*) (?:\w+ ){0,3}contra (?:un|el|una|la) (?:arbol|muro|pared|camion|"
        r"poste)|"
        r"(?:foncer|mencastrer|encastrer) (?:\w+ ){0,3}(?:dans|contre) (?:un|le|une|la) "
        r"(?:arbre|mur|platane|camion|pilier)|(?:bater|jogar|enfiar) o carro (?:\w+ ){0,2}(?:numa|num|na|no|"
        r"contra) (?:arvore|muro|poste|caminhao|parede)",
        r"撞(?:树|墙|桥墩|大货车)",
    ),
    "full_speed": _terms(
        r"full speed|flat out|vollgas|a toda velocidad|a fond|a toda velocidade|on purpose|tonight|now|jetzt|"
        r"heute|ce soir|esta noche|hoje|ahora|maintenant|agora|dann ist ruhe",
        r"全速|今晚|现在",
    ),
}


_ALL = (
    r"all|whole|entire|full|every|bunch of|load of|lot of|handful of|box of|bottle of|packet of|"
    r"pack of|strip of|month of|week of|all of|the rest of|\d{2,}|todas|todos|toda|una caja de|al mijn|"
    r"un frasco de|toute|tous|toutes|une boite de|alle|die ganze|eine ganze|uma caixa de|"
    r"die ganzen|alle meine|medio frasco de|half a bottle of|la moitie de la boite de|eine halbe packung|"
    r"meia caixa de|(?:uma |una |une |la |a )?(?:caixa|caja|boite|frasco|cartela|"
    r"plaquette) (?:inteira|inteiro|entera|"
    r"entero|entiere|complete|completa) de|все|целую"
)
_ALL_AFTER = r"inteira|inteiro|entera|entero|entiere|at once|all at once|in one go|de golpe|d un coup"
_DRUG_WORDS = CONCEPTS["drug"].pattern.split("|(?:")[0][len(r"\b(?:") : -len(r")\b")]
CONCEPTS["all_drug"] = re.compile(
    rf"\b(?:{_ALL}) (?:\w+ ){{0,4}}(?:{_DRUG_WORDS})\b|\b(?:{_DRUG_WORDS}) (?:\w+ ){{0,3}}(?:{_ALL_AFTER})\b"
    r"|(?:一整瓶|整瓶|全部|所有|一把|一盒|半瓶)\w{0,3}(?:药|安眠药)|薬を全部|药都|药全"
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
    # Farewells and plans are often spread over short sentences ("Sorry. I'm going now."): these
    # combinations are looked for in the whole message instead of one clause.
    message: bool = False


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
    # Round 6: what is at hand, the edge of a height, a child and a household hazard, the body's alarms.
    Combo("pills_at_hand", "suicide", "means", 0.6, ("all_drug", "at_hand")),
    Combo("pills_in_hand", "suicide", "means", 0.45, ("drug", "at_hand"), ("now", "intent")),
    Combo("on_the_edge", "suicide", "means", 0.6, ("edge", "height"), ("now", "intent", "jump")),
    Combo("edge_of_height", "suicide", "means", 0.5, ("edge", "height")),
    Combo("child_ingest", "child_risk", "child", 0.8, ("child", "taken", "hazard")),
    Combo("child_overdose", "child_risk", "child", 0.75, ("child", "taken", "all_drug")),
    Combo(
        "child_locked",
        "child_risk",
        "child",
        0.7,
        ("child", "confine"),
        ("confine_place", "hiding", "alone_long"),
    ),
    Combo("swallowed_hazard", "medical", "act", 0.7, ("taken", "hazard"), none_of=("child",)),
    Combo("chemical_fumes", "medical", "emergency", 0.75, ("mixed", "chemical", "breath_sym")),
    Combo("carbon_monoxide", "medical", "emergency", 0.7, ("co_source", "co_sym")),
    Combo("stroke_signs", "medical", "emergency", 0.75, ("stroke",)),
    Combo("hypo", "medical", "emergency", 0.7, ("diabetic", "confused")),
    Combo("heart", "medical", "emergency", 0.7, ("chest", "chest_more")),
    Combo("seizure_long", "medical", "emergency", 0.75, ("seizure", "not_stopping")),
    Combo("anaphylaxis", "medical", "emergency", 0.75, ("swelling",)),
    Combo("too_much", "medical", "act", 0.65, ("did", "too_much", "street")),
    Combo(
        "farewell_care",
        "suicide",
        "goodbye",
        0.6,
        ("care_for",),
        ("leaving", "no_return", "farewell"),
        message=True,
    ),
    Combo("farewell_gone", "suicide", "goodbye", 0.55, ("farewell", "no_return"), message=True),
    Combo(
        "farewell_leaving",
        "suicide",
        "goodbye",
        0.45,
        ("farewell", "leaving"),
        ("care_for", "no_return"),
        message=True,
    ),
    Combo(
        "stockpile_day",
        "suicide",
        "plan",
        0.6,
        ("stockpile", "drug"),
        ("day", "how_many", "all"),
        message=True,
    ),
    Combo(
        "how_many_day", "suicide", "plan", 0.6, ("how_many",), ("day", "stockpile", "set_aside"), message=True
    ),
    Combo("farewell_end", "suicide", "goodbye", 0.5, ("farewell", "the_end"), message=True),
    Combo(
        "bought_rope", "suicide", "means", 0.55, ("bought", "hang"), ("now", "intent", "day"), message=True
    ),
    Combo("take_all_soon", "suicide", "intent", 0.6, ("future_take", "all_drug"), none_of=("routine",)),
    Combo("child_meds", "child_risk", "child", 0.45, ("child", "taken", "drug"), none_of=("routine",)),
    Combo("child_alone", "child_risk", "child", 0.6, ("child", "alone_long"), ("crying", "confine")),
    Combo("weapon_at_door", "abuse", "danger", 0.75, ("weapon", "at_door"), none_of=("sport",)),
    Combo("head_injury", "medical", "emergency", 0.6, ("fell", "head_hurt")),
    # round 11: the same situations in every language (holdout 12 and batch 8 development misses)
    Combo(
        "armed_for",
        "harm_others",
        "harm",
        0.6,
        ("weapon", "armed"),
        ("target", "violence", "day"),
        none_of=("kitchen", "sport"),
        message=True,
    ),
    Combo(
        "armed_violence",
        "harm_others",
        "harm",
        0.6,
        ("weapon", "violence"),
        ("intent", "now", "day", "armed"),
        none_of=("kitchen", "sport"),
        message=True,
    ),
    Combo(
        "their_gun", "suicide", "means", 0.6, ("their_gun",), ("away", "armed", "day", "now"), message=True
    ),
    Combo(
        "leave_threat",
        "abuse",
        "danger",
        0.7,
        ("if_leave",),
        ("weapon", "violence", "kill_verb"),
        message=True,
    ),
    Combo(
        "ex_at_door",
        "abuse",
        "danger",
        0.65,
        ("ex_partner", "at_door"),
        ("fear", "weapon", "now"),
        message=True,
    ),
    Combo(
        "affairs_gone",
        "suicide",
        "goodbye",
        0.6,
        ("affairs",),
        ("gone_soon", "day", "no_return", "farewell", "the_end"),
        none_of=("trip",),
        message=True,
    ),
    Combo(
        "gone_soon",
        "suicide",
        "goodbye",
        0.55,
        ("gone_soon",),
        ("farewell", "day", "now", "affairs", "the_end"),
        none_of=("trip",),
        message=True,
    ),
    Combo(
        "into_water",
        "suicide",
        "means",
        0.6,
        ("at_water",),
        ("cant_swim", "no_return", "gone_soon"),
        message=True,
    ),
    Combo("charcoal_sealed", "suicide", "means", 0.7, ("charcoal", "seal")),
    Combo("child_hazard_lost", "child_risk", "child", 0.6, ("child", "hazard", "hazard_lost")),
    Combo("child_fall", "child_risk", "child", 0.65, ("child", "fell_child", "after_fall"), message=True),
    # "the kids (3 and 5?) have been alone since friday, crying": the question mark splits the clause.
    Combo("child_alone_msg", "child_risk", "child", 0.55, ("child", "alone_long", "crying"), message=True),
    Combo("child_seizure", "child_risk", "child", 0.7, ("child", "seizure")),
    Combo("taken_seizure", "medical", "emergency", 0.65, ("taken", "seizure")),
    Combo("child_hot_car", "child_risk", "child", 0.7, ("child", "confine", "hot_car")),
    Combo("child_secret", "child_risk", "child", 0.6, ("child", "adult", "secret"), message=True),
    Combo(
        "child_meet",
        "child_risk",
        "child",
        0.6,
        ("child", "adult", "meet_up"),
        ("alone_long", "secret"),
        message=True,
    ),
    Combo("wild_food", "medical", "emergency", 0.6, ("wild_food", "taken", "sick_now"), message=True),
    Combo("crash_into", "suicide", "plan", 0.6, ("crash_into", "full_speed")),
    Combo(
        "hang_place",
        "suicide",
        "means",
        0.55,
        ("hang", "hang_point"),
        ("the_end", "gone_soon", "day"),
        message=True,
    ),
)


def _mentioned(pattern: re.Pattern[str], clause: str, cancels: list[tuple[int, int]]) -> bool:
    for match in pattern.finditer(clause):
        start, end = match.span()
        if not any(c_start < end and start < c_end for c_start, c_end in cancels):
            return True
    return False


def concepts_in(clause: str, cancels: list[tuple[int, int]]) -> set[str]:
    """Concepts with at least one mention in ``clause`` that no idiom or negation covers."""
    return {name for name, pattern in CONCEPTS.items() if _mentioned(pattern, clause, cancels)}


def combos_in(clause: str, cancels: list[tuple[int, int]], *, message: bool = False) -> list[Combo]:
    """Combinations present in ``clause`` (or, with ``message``, the message-wide ones in the
    whole message). Concepts are looked up lazily: most clauses lack the first concept a
    combination needs, so most of the vocabulary is never scanned."""
    seen: dict[str, bool] = {}

    def has(name: str) -> bool:
        if name not in seen:
            seen[name] = _mentioned(CONCEPTS[name], clause, cancels)
        return seen[name]

    return [
        combo
        for combo in COMBOS
        if combo.message == message
        and all(has(n) for n in combo.needs)
        and (not combo.any_of or any(has(n) for n in combo.any_of))
        and not any(has(n) for n in combo.none_of)
    ]
