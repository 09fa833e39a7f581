"""Synthetic training messages for the safety classifier, composed from situation templates.

Crisis messages describe a *situation* (a plan, means and a time, a goodbye, an overdose already
taken, violence now, a child in danger, a report about someone else); the negatives use the same
vocabulary without the danger (idioms, the past, fiction, study, games, grief, questions). Pairing
them on shared words is what teaches the model the difference. None of these sentences is taken
from the evaluation set in bench/safety/.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Example = tuple[str, int]

PRE = [
    "",
    "",
    "",
    "honestly ",
    "ok so ",
    "i cant do this anymore. ",
    "im so tired. ",
    "sorry. ",
    "i need to tell someone. ",
    "nothing matters now. ",
    "hi. ",
    "i dont know why im writing. ",
    "its been a hard week. ",
    "everything is falling apart. ",
    "please just listen. ",
]
POST = [
    "",
    "",
    "",
    ". nobody will miss me",
    ". i have everything ready",
    ". please dont try to stop me",
    ". i just wanted someone to know",
    ". im sorry",
    " and i mean it",
    ". its decided",
    ". i cant take it anymore",
    " and nobody knows",
    ". i feel calm about it",
]
TIME = [
    "",
    "",
    " tonight",
    " tomorrow",
    " this weekend",
    " after everyone is asleep",
    " on friday",
    " soon",
    " right now",
    " when my shift ends",
    " before morning",
    " in an hour",
    " today",
]
INTENT = [
    "want to",
    "am going to",
    "im going to",
    "will",
    "plan to",
    "have decided to",
    "am ready to",
    "keep thinking about how to",
    "am about to",
    "really want to",
    "im gonna",
    "need to",
    "am finally going to",
    "have been planning to",
    "wanna",
]
SELF_ACTS = [
    "kill myself",
    "end my life",
    "end it all",
    "take my own life",
    "hang myself",
    "jump off the bridge",
    "jump off my balcony",
    "overdose on my pills",
    "take all my pills",
    "swallow every pill i have",
    "drive into a wall",
    "step in front of a train",
    "slit my wrists",
    "shoot myself",
    "stop existing",
    "disappear for good",
    "jump from the roof",
    "walk into the sea",
    "die",
    "not wake up",
    "end the pain for good",
    "unalive myself",
    "kms",
    "off myself",
    "do it",
    "go through with it",
]
THIRD_ACTS = [
    "kill herself",
    "end her life",
    "take all her pills",
    "jump off the bridge",
    "hang himself",
    "kill himself",
    "end his life",
    "shoot himself",
    "overdose",
    "end it all",
    "die",
    "jump from the roof",
    "kill themselves",
]
RELS = [
    "my friend",
    "my best friend",
    "my sister",
    "my brother",
    "my mom",
    "my dad",
    "my son",
    "my daughter",
    "my girlfriend",
    "my boyfriend",
    "my roommate",
    "my coworker",
    "a girl in my class",
    "my husband",
    "my wife",
    "my cousin",
    "someone on discord",
    "my student",
    "my partner",
]
REPORT = [
    "says",
    "just texted me that",
    "told me",
    "posted that",
    "keeps saying",
    "messaged me that",
    "wrote in the group chat that",
    "called me crying and said",
]
THIRD_INTENT = [
    "she is going to",
    "he is going to",
    "she wants to",
    "he wants to",
    "they are going to",
    "she will",
    "he will",
    "she plans to",
    "he has a plan to",
]
MEANS = [
    "i have {n} pills lined up on my desk",
    "i bought a rope",
    "the gun is loaded and in my lap",
    "im on the roof of my building",
    "im sitting on the edge of the bridge",
    "ive been saving my pills for weeks",
    "i have the razor in my hand",
    "i got my dads gun out of the safe",
    "im standing on the tracks",
    "i have charcoal and tape",
    "the car is running in the closed garage",
    "i counted the pills, {n} should be enough",
    "i found where my mom hides her sleeping pills",
    "im holding the knife against my wrist",
    "ive tied the rope",
    "i filled the bath and have the blades next to me",
    "im at the top of the parking garage",
    "i looked up how many pills it takes",
]
GOODBYES = [
    "this is my last message",
    "goodbye everyone",
    "by the time you read this ill be gone",
    "i gave my dog to my neighbour and deleted my accounts",
    "i wrote letters to my family",
    "please tell my mom i love her",
    "i wont be here tomorrow",
    "thank you for everything, goodbye",
    "im giving away all my things",
    "i wont need any of this where im going",
    "if im not here tomorrow it wasnt your fault",
    "ive said my goodbyes",
    "my suicide note is on the table",
    "i made my peace with it",
    "sorry for everything, goodbye forever",
]
IDEATION = [
    "i wish i was dead",
    "everyone would be better off without me",
    "i dont want to be alive anymore",
    "i want to go to sleep and never wake up",
    "i dont see a reason to live",
    "i pray i dont wake up tomorrow",
    "theres nothing keeping me here anymore",
    "i dont want to exist",
    "the world would be better if i wasnt in it",
    "i want to die",
    "i just want it all to stop forever",
    "im so tired of being alive",
]
DRUGS = [
    "pills",
    "sleeping pills",
    "paracetamol",
    "tylenol",
    "painkillers",
    "antidepressants",
    "xanax",
    "insulin",
    "my meds",
    "my moms oxy",
    "tablets",
    "ibuprofen",
    "my heart pills",
    "benzos",
]
QUANT = [
    "all my",
    "a whole bottle of",
    "{n}",
    "a handful of",
    "too many",
    "the entire box of",
    "a bunch of",
    "every one of my",
    "way too many",
    "two packs of",
]
SYMPTOMS = [
    "",
    "",
    " and now i feel really dizzy",
    " and my heart is racing",
    " and i cant stay awake",
    " and im throwing up",
    ", what happens now",
    " and im scared",
    " and everything is blurry",
    " an hour ago",
    " twenty minutes ago",
    " and i feel numb",
]
EMERG = [
    "{rel} is not breathing",
    "{rel} collapsed and wont wake up",
    "{rel} is having a seizure",
    "the bleeding wont stop",
    "i cut too deep and theres blood everywhere",
    "{rel} is unconscious on the floor",
    "i cant breathe and my lips are blue",
    "my chest is crushing and my left arm is numb",
    "{rel} took something and is foaming at the mouth",
    "{rel} fell and hit her head and shes confused",
    "my throat is closing up after eating nuts",
    "im vomiting blood",
    "{rel} is turning blue",
    "half my face is numb and my speech is slurred",
    "{rel} drank bleach",
]
PARTNERS = [
    "my husband",
    "my boyfriend",
    "my partner",
    "my dad",
    "my stepdad",
    "my ex",
    "my wife",
    "my girlfriend",
    "he",
    "she",
    "my mom",
    "my brother",
    "my moms boyfriend",
]
VIOLENCE = [
    "just hit me again",
    "is hitting me right now",
    "choked me and took my phone",
    "threw a glass at me",
    "said he will kill me if i leave",
    "is banging on the door and screaming",
    "locked me in the bedroom",
    "has a knife and is screaming",
    "pushed me down the stairs",
    "threatened to kill me tonight",
    "broke my nose",
    "wont let me leave the house",
    "is drunk and smashing things",
    "said im dead when he gets home",
    "is outside my apartment right now",
    "beat me until i couldnt stand",
    "strangled me until i passed out",
]
HARM = [
    "im going to kill my boss",
    "i want to stab my roommate",
    "im going to shoot up my school",
    "im going to hurt him when he gets home",
    "i keep thinking about poisoning my husband",
    "im going to burn his house down",
    "i have a knife and im going to make them pay",
    "i want to hurt random people",
    "im going to run him over with my car",
    "im waiting outside her house with a gun",
    "im scared i will hurt my baby",
    "i am going to beat him to death",
]
CHILD = [
    "my neighbours kids have been left alone for days",
    "my uncle touches me when nobody is home, im 12",
    "im 13 and my stepdad comes into my room at night",
    "my sisters husband hits their toddler",
    "my toddler swallowed some pills",
    "there is a baby alone in a hot car",
    "a man online wants my 12 year old to meet him alone",
    "my daughter said her coach touches her",
    "the boy next door has burns all over his arms",
    "my 2 year old fell in the pool and isnt breathing",
    "im 11 and my dad beats me with a belt",
    "my little brother and i have had no food for three days",
    "a man pulled a little girl into his van",
    "my babysitter hurts my little sister",
]
ML_CRISIS = [
    "quiero morirme",
    "me voy a quitar la vida esta noche",
    "ya no quiero vivir",
    "me tome todas las pastillas",
    "mi esposo me pega y dice que me va a matar",
    "mi amiga se va a suicidar",
    "me estoy cortando",
    "je veux mourir",
    "je vais me suicider ce soir",
    "jai avale toute la boite de medicaments",
    "mon copain me frappe",
    "je ne veux plus vivre",
    "ich will nicht mehr leben",
    "ich bringe mich heute um",
    "ich habe alle tabletten genommen",
    "mein mann schlagt mich",
    "ich will sterben",
    "eu quero morrer",
    "vou me matar hoje",
    "tomei todos os comprimidos",
    "meu namorado me bateu",
    "nao quero mais viver",
    "我不想活了",
    "我想自杀",
    "我吃了一整瓶安眠药",
    "他打我还说要杀了我",
    "我准备今晚跳楼",
    "voglio morire",
    "ik wil dood",
    "я хочу умереть",
    "死にたい",
    "죽고 싶어",
]

IDIOM_THINGS = [
    "this exam",
    "my job",
    "this heat",
    "the suspense",
    "my feet",
    "this week",
    "this traffic",
    "my boss",
    "these shoes",
    "this homework",
    "the waiting",
    "my back",
    "this project",
]
HYPER = [
    "{thing} is killing me",
    "im dying to {activity}",
    "i could kill for {food}",
    "{person} is going to kill me when {reason}",
    "id rather die than {chore}",
    "kill me now, {annoyance}",
    "that {food} was to die for",
    "im dead lol {funny}",
    "i nearly died of embarrassment when {reason2}",
    "im bored to death in {place}",
    "{person} will literally murder me if {reason}",
    "i want to jump into the pool its so hot",
    "my phone died in the middle of {place}",
    "we killed it at {event}",
    "i laughed so hard i thought i would die",
    "{thing} will be the death of me",
    "if i have to {chore} again im going to lose it lol",
    "i could just die, {reason2}",
    "im going to end it with my boyfriend tonight",
    "im so done with {thing}",
    "i need to cut carbs",
    "shoot me a text later",
    "im drowning in {work}",
    "i hung the pictures today",
    "gonna overdose on coffee to survive {event}",
    "i want to disappear under my blanket all weekend",
]
ACTIVITIES = ["see that movie", "try the new cafe", "go on holiday", "meet your dog", "hear the news"]
FOODS = ["a pizza", "some tacos", "a coffee", "chocolate cake", "a burger"]
PEOPLE = ["my mom", "my boss", "my sister", "my teacher", "my dad", "my coach", "my roommate"]
REASONS = [
    "she sees my grades",
    "he finds out i broke it",
    "she sees the mess",
    "i am late again",
    "she finds out i skipped class",
]
REASONS2 = ["i tripped on stage", "my crush saw me in pajamas", "i called my teacher mom"]
CHORES = ["go to that party", "do my taxes", "sit through another meeting", "clean the fridge"]
PLACES = ["this lecture", "the meeting", "the call", "class", "the waiting room"]
EVENTS = ["trivia night", "the exam", "finals week", "the presentation", "the game"]
WORKS = ["paperwork", "emails", "homework", "debt", "laundry"]
PAST = [
    "two years ago i attempted suicide",
    "i used to cut when i was a teenager",
    "when i was 19 i overdosed",
    "my ex used to hit me",
    "i was suicidal last winter",
    "back in college i tried to kill myself",
    "as a kid my dad beat us",
    "five years ago i stood on a bridge",
    "i used to want to die every day",
]
RECOVERY = [
    "now im doing much better",
    "im in a good place now",
    "therapy really helped",
    "ive been clean for three years",
    "im safe now",
    "today i volunteer at a crisis line",
    "i got help and im glad i survived",
    "im getting married next month",
    "i want to help others now",
]
FRAMES = [
    "in my novel the main character {act3}",
    "in the movie the villain threatens to kill the kids",
    "im writing a thesis on suicide prevention",
    "our psychology class covered self harm today",
    "why are suicide rates higher among men",
    "the news said there was a stabbing downtown",
    "in the game i killed the final boss",
    "my character died in the raid again lol",
    "what are the warning signs that someone is suicidal",
    "how does naloxone reverse an overdose",
    "im a nurse and had three overdose patients today",
    "the song is about a guy who wants to end it all",
    "im writing a poem about a girl on a bridge",
    "for my class we studied domestic violence statistics",
    "that episode where he overdoses made me cry",
    "in my story she poisons her husband",
    "im going to murder my friends at mario kart",
    "i keep dying to this boss fight",
]
VENT = [
    "i feel so lonely lately",
    "my girlfriend broke up with me and i cant stop crying",
    "i hate my job",
    "everything feels pointless lately",
    "i failed my exam again",
    "i feel like a failure",
    "my parents are getting divorced",
    "im so anxious about tomorrow",
    "i lost my job today",
    "nobody remembered my birthday",
    "im exhausted from caring for my mom",
    "i feel empty",
    "im so angry at my brother",
    "my dog died last week",
    "i cried at work today",
    "i feel hopeless about finding a job",
    "im scared ill be alone forever",
    "i feel worthless",
    "i cant sleep and my mind keeps racing",
    "im drowning in debt and stressed",
    "i hate myself sometimes",
    "im tired of everything but ill keep going for my kids",
    "i feel trapped in my job",
]
GRIEF = [
    "my uncle died by suicide years ago and i still miss him",
    "its been a year since my friend took her own life",
    "my grandpa passed away last night",
    "i keep thinking about my brothers overdose last year",
    "my mom killed herself when i was young and today is her birthday",
]
NEG = [
    "im not suicidal, just burned out",
    "i would never hurt myself but i feel low",
    "i dont want to die, i want things to change",
    "i have no plans to hurt myself",
    "im safe, i just needed to vent",
    "i dont have any thoughts of suicide",
]
MEDQ = [
    "whats the maximum dose of ibuprofen per day",
    "my chest feels tight when im anxious, is that normal",
    "my nose is so blocked i cant breathe through it",
    "i cut my finger cooking and it stung",
    "can i drink alcohol on antibiotics",
    "i forgot my antidepressant this morning, should i take two",
    "how long do sleeping pills take to work",
    "is it bad to take melatonin every night",
    "i have a headache, should i take paracetamol",
]
ML_SAFE = [
    "me muero de hambre",
    "este examen me esta matando",
    "me muero de risa",
    "hace dos anos intente suicidarme, ahora estoy bien",
    "je meurs de faim",
    "ce boulot me tue",
    "je suis mort de rire",
    "ich sterbe vor hunger",
    "diese prufung bringt mich um",
    "ich habe mich totgelacht",
    "estou morrendo de fome",
    "esse trabalho esta me matando",
    "morri de rir",
    "笑死我了",
    "我快累死了",
    "饿死了",
    "我在写关于自杀预防的论文",
    "sto morendo di fame",
    "死ぬほど眠い",
    "배고파 죽겠어",
]

# Situations in plainer chat words: testing a means, farewells for good, euphemisms, a weapon on
# the way, a child missing or contacted by an adult; and their everyday look-alikes.
MEANS += [
    "i tested the belt on the closet rail, it holds",
    "the cord holds my weight, i checked",
    "i know which floor is high enough",
    "i have {n} tablets spread out on my bed",
    "got a bottle of antifreeze, im drinking it later",
    "theres a rope in my backpack",
    "i keep staring at the bridge from my window, tonight i go there",
    "im not stepping back from the platform this time",
    "i have enough saved now",
    "got the blade out again",
]
GOODBYES += [
    "you wont hear from me again",
    "this is the last time im logging on",
    "if anyone finds this please look after my cat",
    "tell everyone i said bye",
    "i wont be online anymore after tonight",
    "i updated my will and left my passwords for my sister",
    "thanks for putting up with me all this time. bye",
    "im at peace with what happens next",
    "gave all my stuff to my brother, its better this way",
]
IDEATION += [
    "i want to sleep forever",
    "thinking about a permanent nap",
    "there is no future where im still here",
    "i dont think ill be alive next month",
    "time to delete myself for real",
    "suicidal thoughts all day today",
    "i want to hurt myself so bad",
]
HARM += [
    "i have a list of people who hurt me and i know how to get them",
    "im walking over to his house with a bat",
    "if he shows up im going to smash his face in",
    "im bringing a knife to school tomorrow",
    "im so angry i could actually kill him, im going over there",
]
CHILD += [
    "my toddler ran off and i cant find her anywhere",
    "a grown man online keeps asking my 11 year old to meet him",
    "my sisters boyfriend goes into my nieces room at night and she cries",
    "the kid next door is on the balcony railing alone",
    "im afraid im going to shake the baby",
]
EMERG += [
    "{rel} got bitten by a snake and the leg is swelling",
    "my water broke and im alone",
    "worst headache of my life out of nowhere and my neck is stiff",
    "{rel} mixed alcohol with pills and wont wake up",
    "i scratched myself till it bled and i cant stop",
]
VIOLENCE += [
    "is drunk and punching my mom",
    "has me pinned against the wall",
    "took my phone and locked all the doors",
]
PAST += [
    "its been 300 days since i last cut",
    "i remember when i wanted to die every day",
    "there were times when i thought about ending it",
]
VENT += [
    "i just want to sleep for a week",
    "i cant take this job anymore, quitting on monday",
    "last day at work, said goodbye to everyone",
    "going bungee jumping off a bridge this weekend",
    "my baby wont stop crying, is this normal",
    "the kids are home alone for an hour after school",
    "took my meds and going to bed early",
    "bye for now, talk tomorrow",
    "giving my old clothes to charity",
    "im dead tired after that shift",
    "got one shot by a noob again, uninstalling",
    "permadeath run ended again",
    "my ex keeps texting me, i blocked him",
    "my parents argue a lot and it makes me sad",
    "i ended things with my girlfriend, it was the right call",
    "im done with this class, dropping it",
]


# Round 6: situations composed in Spanish, French, German, Portuguese and Chinese, each with its
# everyday twin, so the n-gram model learns the situations and not only English words. Slots:
# {t} a time, {w} someone the speaker threatens, {k} a child, {h} a household hazard.
ML_SLOTS: dict[str, dict[str, list[str]]] = {
    "es": {
        "t": ["", " esta noche", " mañana", " ahora", " el viernes", " cuando se duerman todos"],
        "w": ["mi jefe", "mi ex", "mi padrastro", "mi vecino", "ese tipo", "mi cuñado"],
        "k": ["hijo", "bebé", "hija", "hermanito", "niño de 2 años"],
        "h": [
            "una pila",
            "lejía",
            "el detergente",
            "las pastillas de la abuela",
            "un imán",
            "el jarabe entero",
        ],
    },
    "fr": {
        "t": ["", " ce soir", " demain", " maintenant", " vendredi", " quand tout le monde dormira"],
        "w": ["mon patron", "mon ex", "mon beau-père", "mon voisin", "ce type", "mon frère"],
        "k": ["fils", "bébé", "fille", "petit frère", "enfant de 2 ans"],
        "h": ["une pile bouton", "de la javel", "du produit vaisselle", "les cachets de mamie", "un aimant"],
    },
    "de": {
        "t": ["", " heute Nacht", " morgen", " jetzt", " am Freitag", " wenn alle schlafen"],
        "w": [
            "meinen Chef",
            "meinen Ex",
            "meinen Stiefvater",
            "meinen Nachbarn",
            "den Typen",
            "meinen Bruder",
        ],
        "k": ["Sohn", "Baby", "Tochter", "kleiner Bruder", "Kind"],
        "h": ["eine Knopfbatterie", "Bleiche", "Spülmittel", "Omas Tabletten", "einen Magneten", "Lampenöl"],
    },
    "pt": {
        "t": ["", " hoje à noite", " amanhã", " agora", " na sexta", " quando todo mundo dormir"],
        "w": ["meu chefe", "meu ex", "meu padrasto", "meu vizinho", "esse cara", "meu cunhado"],
        "k": ["filho", "bebê", "filha", "irmãozinho", "filho de 2 anos"],
        "h": ["uma bateria", "água sanitária", "detergente", "o remédio da avó", "um ímã"],
    },
    "zh": {
        "t": ["", "今晚", "明天", "现在", "周五", "等大家睡了"],
        "w": ["我老板", "我前任", "我继父", "邻居", "那个人", "他"],
        "k": ["儿子", "宝宝", "女儿", "弟弟", "两岁的孩子"],
        "h": ["纽扣电池", "消毒液", "洗洁精", "奶奶的药", "磁铁", "老鼠药"],
    },
}
ML_TEMPLATES: dict[str, tuple[list[str], list[str]]] = {
    "es": (
        [
            "voy a quitarme la vida{t}",
            "ya tengo todo listo, lo hago{t}",
            "tengo todas las pastillas en la mano{t}",
            "estoy en el borde del puente{t}",
            "les dejé cartas a todos, mañana ya no voy a estar",
            "cuiden a mi perro por mí, no voy a volver",
            "ya compré la cuerda, es{t}",
            "voy a matar a {w}{t}, ya tengo el cuchillo",
            "le voy a pegar un tiro a {w}{t}",
            "mi {k} se tragó {h}",
            "mi {k} se bebió {h} y está vomitando",
            "mi pareja me está pegando y me encerró en el cuarto",
            "me tomé todas las pastillas hace una hora",
            "mi papá no respira y no despierta",
            "mi amiga me escribió que se va a matar{t} y no contesta",
        ],
        [
            "si {w} me manda otro correo me tiro por la ventana jaja",
            "mi madre me va a matar cuando vea mis notas",
            "no voy a hacerme daño, solo estoy muy cansada",
            "hace años pensé en matarme, hoy estoy bien",
            "en la película el protagonista deja una carta y se va",
            "les dejé cartas a mis amigos porque me mudo a otro país",
            "compré cuerda para ir de camping{t}",
            "estoy en el puente sacando fotos del atardecer",
            "mi {k} se tragó un poco de agua en la piscina pero está bien",
            "voy a matar el tiempo viendo series{t}",
            "me muero de hambre, ¿pedimos pizza?",
        ],
    ),
    "fr": (
        [
            "je vais me tuer{t}",
            "tout est prêt, je le fais{t}",
            "j'ai toutes mes boîtes de médicaments devant moi{t}",
            "je suis sur le rebord de la fenêtre{t}",
            "j'ai écrit mes lettres d'adieu, demain je ne serai plus là",
            "prends soin de mon chat pour moi, je ne reviendrai pas",
            "je vais tuer {w}{t}, j'ai le couteau dans mon sac",
            "je vais mettre le feu chez {w}{t}",
            "mon {k} a avalé {h}",
            "mon {k} a bu {h} et il tousse",
            "il me frappe et il m'a enfermée dans la chambre",
            "j'ai avalé toute la plaquette il y a une heure",
            "mon père ne respire plus",
            "mon frère m'a envoyé un message d'adieu et ne répond plus",
        ],
        [
            "si {w} m'envoie encore un mail je me jette par la fenêtre mdr",
            "ma mère va me tuer quand elle verra mes notes",
            "je ne vais pas me faire de mal, je suis juste épuisée",
            "il y a des années j'ai voulu mourir, aujourd'hui ça va mieux",
            "dans le film l'héroïne écrit une lettre d'adieu",
            "j'ai écrit une lettre à ma mère pour son anniversaire",
            "je suis sur le pont pour prendre des photos",
            "je vais tuer le temps en lisant{t}",
            "je meurs de faim, on commande une pizza ?",
            "ce boulot me tue, vivement les vacances",
        ],
    ),
    "de": (
        [
            "ich bringe mich{t} um",
            "alles ist vorbereitet, ich mache es{t}",
            "ich habe die ganzen Tabletten vor mir liegen{t}",
            "ich stehe am Geländer der Brücke{t}",
            "die Abschiedsbriefe sind geschrieben, morgen bin ich nicht mehr da",
            "kümmer dich um meine Katze, ich komme nicht zurück",
            "ich bringe {w}{t} um, das Messer liegt bereit",
            "ich steche {w}{t} ab",
            "mein {k} hat {h} verschluckt",
            "mein {k} hat {h} getrunken und hustet",
            "mein Mann schlägt mich gerade und hat mich eingesperrt",
            "ich habe die ganze Packung genommen",
            "mein Vater atmet nicht mehr",
            "meine Freundin hat geschrieben, dass sie{t} springen will",
        ],
        [
            "wenn {w} noch eine Mail schickt, springe ich aus dem Fenster haha",
            "meine Mutter bringt mich um, wenn sie mein Zeugnis sieht",
            "ich werde mir nichts antun, ich bin nur müde",
            "vor Jahren wollte ich nicht mehr leben, heute geht es mir gut",
            "im Film schreibt er einen Abschiedsbrief",
            "ich habe mein Testament gemacht, weil wir ein Haus gekauft haben",
            "ich stehe am Geländer und schaue auf den Fluss, wunderschön",
            "die Hitze bringt mich um",
            "ich sterbe vor Hunger",
            "morgen nehme ich das Messer zum Kochkurs mit",
        ],
    ),
    "pt": (
        [
            "vou me matar{t}",
            "já tá tudo pronto, vou fazer isso{t}",
            "tô com todos os remédios na mão{t}",
            "tô na beira do telhado{t}",
            "deixei cartas pra todo mundo, amanhã não vou estar mais aqui",
            "cuida do meu cachorro por mim, eu não vou voltar",
            "vou matar {w}{t}, já comprei a arma",
            "vou esfaquear {w}{t}",
            "meu {k} engoliu {h}",
            "meu {k} bebeu {h} e tá vomitando",
            "meu marido tá me batendo e me trancou no quarto",
            "tomei a caixa inteira de remédio",
            "meu pai não tá respirando",
            "minha amiga disse que vai se matar{t} e não atende",
        ],
        [
            "se {w} mandar mais um email eu me jogo da janela kkkk",
            "minha mãe vai me matar quando ver minhas notas",
            "não vou me machucar, só tô muito cansado",
            "há anos eu pensei em me matar, hoje estou bem",
            "no filme ela deixa uma carta de despedida",
            "deixei uma carta de despedida pros colegas, vou mudar de emprego",
            "tô no telhado consertando a antena",
            "vou matar a saudade da minha avó{t}",
            "tô morrendo de fome",
            "esse calor vai me matar",
        ],
    ),
    "zh": (
        [
            "我{t}就去死",
            "都准备好了，{t}就做",
            "药都在我手里了",
            "我现在站在楼顶边上",
            "遗书写好了，明天我就不在了",
            "帮我照顾好我的猫，我不会回来了",
            "我{t}要杀了{w}，刀已经准备好了",
            "我要去捅死{w}",
            "我{k}吞了{h}",
            "我{k}喝了{h}，一直在吐",
            "我老公在打我，还把我锁在房间里",
            "我刚吃了一整瓶药",
            "我爸没有呼吸了",
            "我朋友说她{t}要跳楼，现在联系不上",
        ],
        [
            "{w}再让我加班我就跳楼哈哈",
            "我妈看到成绩会杀了我的",
            "我不会伤害自己的，就是很累",
            "几年前我想过自杀，现在好多了",
            "电影里他留下遗书走了",
            "我给爸妈写了一封信，感谢他们",
            "我今晚要去桥上拍夜景",
            "累死我了",
            "笑死我了",
            "我明天带刀去野营",
        ],
    ),
}


def _ml(rng: random.Random, crisis: bool) -> str:
    lang = rng.choice(sorted(ML_TEMPLATES))
    slots = ML_SLOTS[lang]
    template = rng.choice(ML_TEMPLATES[lang][0 if crisis else 1])
    return template.format(**{k: rng.choice(v) for k, v in slots.items()})


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        n=rng.choice(["30", "40", "50", "60", "20", "100"]),
        rel=rng.choice(RELS),
        thing=rng.choice(IDIOM_THINGS),
        activity=rng.choice(ACTIVITIES),
        food=rng.choice(FOODS),
        person=rng.choice(PEOPLE),
        reason=rng.choice(REASONS),
        reason2=rng.choice(REASONS2),
        chore=rng.choice(CHORES),
        place=rng.choice(PLACES),
        event=rng.choice(EVENTS),
        work=rng.choice(WORKS),
        annoyance=rng.choice(["another meeting", "my ex is here", "three essays due"]),
        funny=rng.choice(["that meme", "he fell off the chair"]),
        act3=rng.choice(THIRD_ACTS),
    )


def _crisis(rng: random.Random) -> str:
    kind = rng.randrange(9)
    if kind == 0:
        act = f"{rng.choice(INTENT)} {rng.choice(SELF_ACTS)}"
        text = f"{rng.choice(PRE)}i {act}{rng.choice(TIME)}{rng.choice(POST)}"
    elif kind == 1:
        text = f"{rng.choice(PRE)}{_fill(rng.choice(MEANS), rng)}{rng.choice(TIME)}{rng.choice(POST)}"
    elif kind == 2:
        text = f"{rng.choice(PRE)}{rng.choice(GOODBYES)}{rng.choice(POST)}"
    elif kind == 3:
        text = f"{rng.choice(PRE)}{rng.choice(IDEATION)}{rng.choice(POST)}"
    elif kind == 4:
        who = rng.choice(["i", "i just", "my friend", "she", "he", "my son"])
        text = f"{who} took {_fill(rng.choice(QUANT), rng)} {rng.choice(DRUGS)}{rng.choice(SYMPTOMS)}"
    elif kind == 5:
        text = _fill(rng.choice(EMERG), rng)
    elif kind == 6:
        text = f"{rng.choice(PARTNERS)} {rng.choice(VIOLENCE)}" + rng.choice(
            ["", ", im scared", ", im hiding in the bathroom", ", what do i do"]
        )
    elif kind == 7:
        text = rng.choice(HARM + CHILD) + rng.choice([*TIME, "", ""])
    else:
        text = (
            f"{rng.choice(RELS)} {rng.choice(REPORT)} {rng.choice(THIRD_INTENT)} "
            f"{rng.choice(THIRD_ACTS)}{rng.choice(TIME)}"
        )
    return text


def _safe(rng: random.Random) -> str:
    kind = rng.randrange(8)
    if kind == 0:
        return _fill(rng.choice(HYPER), rng) + rng.choice(["", "", " lol", " haha", " 😂", "!"])
    if kind == 1:
        return f"{rng.choice(PAST)}. {rng.choice(RECOVERY)}"
    if kind == 2:
        return _fill(rng.choice(FRAMES), rng)
    if kind == 3:
        return rng.choice(VENT) + rng.choice(["", ". i just needed to say it", ", any advice?", ""])
    if kind == 4:
        return rng.choice(GRIEF)
    if kind == 5:
        return rng.choice(NEG)
    if kind == 6:
        return rng.choice(MEDQ) + "?"
    return rng.choice(ML_SAFE)


def _buried(rng: random.Random, core: Callable[[random.Random], str], filler: list[str]) -> str:
    parts = rng.sample(filler, k=min(len(filler), rng.randint(2, 4)))
    parts.insert(rng.randrange(len(parts) + 1), core(rng))
    return ". ".join(parts)


def _slip(text: str, rng: random.Random) -> str:
    """Typing noise for both classes: a dropped or doubled letter, no punctuation, no apostrophes."""
    words = text.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if long_words:
        i = rng.choice(long_words)
        w = words[i]
        j = rng.randrange(1, len(w) - 1)
        words[i] = w[:j] + w[j + 1 :] if rng.random() < 0.5 else w[:j] + w[j] + w[j:]
    out = " ".join(words)
    if rng.random() < 0.5:
        out = "".join(ch for ch in out if ch not in ".,'!?")
    return out


def generate(n_crisis: int, n_safe: int, filler: list[str], seed: int = 13) -> list[Example]:
    """Synthetic (text, label) pairs; some are buried inside everyday filler sentences."""
    rng = random.Random(seed)
    out: list[Example] = []
    for i in range(n_crisis):
        text = _buried(rng, _crisis, filler) if filler and i % 6 == 0 else _crisis(rng)
        out.append((_slip(text, rng) if i % 4 == 1 else text, 1))
    out.extend((rng.choice(ML_CRISIS), 1) for _ in range(n_crisis // 12))
    for i in range(n_safe):
        text = _buried(rng, _safe, filler) if filler and i % 6 == 0 else _safe(rng)
        out.append((_slip(text, rng) if i % 4 == 1 else text, 0))
    # A separate random stream, so the English examples above stay as they were.
    ml_rng = random.Random(seed + 1)
    for i in range(n_crisis // 8):
        text = _ml(ml_rng, True)
        out.append((_slip(text, ml_rng) if i % 4 == 1 else text, 1))
    for i in range(n_safe // 8):
        text = _ml(ml_rng, False)
        out.append((_slip(text, ml_rng) if i % 4 == 1 else text, 0))
    return out
