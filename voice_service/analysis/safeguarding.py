"""Possible safeguarding disclosures: a flag for a person to read the whole answer today.

It never decides anything. It is tuned for recall (direct, indirect, misspelt and text-speak
disclosures) with a list of everyday false alarms ("scary film", "horror game", "killing it at
football") that are blanked out before the triggers are searched, so they do not bury the real
ones. Every flag keeps its evidence: the original words that triggered it, and the reason.

Matching runs on the normalised text from ``codebook.normalise`` ("kms" -> "kill myself",
"dont" -> "don't", "scard" -> "scared"), so patterns are written in normal spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .codebook import Normalised, normalise
from .prefilter import Prefilter
from .questions import non_answer, question_kind

_PEOPLE = (
    r"(he|she|they|him|her|them|mum|dad|mum's|dad's|step-dad|step-mum|step dad|step mum|stepdad|stepmum|"
    r"boyfriend|girlfriend|partner|husband|wife|ex|carer|carers|foster carer|uncle|aunty|auntie|brother|"
    r"sister|cousin|nan|grandad|someone|somebody|people|man|men|boys|lads|teacher|the staff|staff)"
)
_HARM_VERBS = (
    r"(hit|hits|hitting|beat|beats|beating|beaten|punch|punches|punched|punching|kick|kicks|kicked|kicking|"
    r"slap|slaps|slapped|slapping|smack|smacks|smacked|smacking|batter|batters|battered|bash|bashes|bashed|"
    r"choke|chokes|choked|choking|strangle|strangles|strangled|burn|burns|burnt|burned|whip|whips|whipped|"
    r"push|pushes|pushed|shove|shoves|shoved|throw things at|throws things at|threw things at|hurt|hurts|"
    r"hurting|harm|harms|harmed|attack|attacks|attacked|grab|grabs|grabbed|pin|pins|pinned|drag|drags|dragged|"
    r"whack|whacks|whacked|whacking|thump|thumps|thumped|thumping|wallop|wallops|walloped)"
)
_OBJ = r"(me|us|my (mum|dad|brother|sister|baby|son|daughter|kids|children|child|little brother|little sister))"

# reason -> patterns (normalised, lower-case). Word boundaries are added around each.
TRIGGERS: dict[str, list[str]] = {
    "abuse_physical": [
        r"disclos(ed|es|ure|ing)",
        r"(cuts|bruises|burns|marks|scratches) on (her|his|my|their|your) (neck|arms?|legs?|face|body|back|wrists?|chest|bum)",
        r"(got|get|been|was|were) (jumped|mugged|robbed|attacked|beaten up|stabbed|assaulted)",
        rf"{_HARM_VERBS} {_OBJ}",
        rf"{_HARM_VERBS} (me|us) (with|when|if|because|all|every|again|really|so|hard)",
        r"(get|gets|got|getting) (hit|beaten|beat|smacked|battered|slapped|punched|kicked|hurt|the belt|whipped|whacked|thumped|walloped)",
        r"(bruises?|black eye|marks on (me|my)|cuts on (me|my))",
        r"the belt",
        r"(with|using) (a|the|his|her) (belt|stick|shoe|slipper|wire|cable|wooden spoon)",
        r"(bang|bangs|banged) my head",
        r"(locks|locked|lock) (me|us) (in|out|up)",
        r"abus(e|ed|es|ing|ive)",
        r"(mistreat|mistreats|mistreated|maltreat\w*)",
        r"(throws|threw|throw|throwing|slams|slammed|slam|slamming|shoves|shoved|pushes|pushed) (me|us|her|him) (against|into|down|across|at|on) (the )?(wall|walls|floor|door|stairs|ground|table|radiator)",
        r"(pulls|pulled|pull|pulling|yanks|yanked|drags|dragged) (me by )?(my|our|her|his) hair",
        r"(twists|twisted|bends|bent) (my|our) (arm|arms|fingers|wrist)",
    ],
    "abuse_sexual": [
        r"(does|did|do|doing|done) (rude|bad|horrible|weird|nasty|naughty|private|sexual) (things|stuff) (to|with|on) (me|her|him|us)",
        r"(come|comes|came|coming|walks|walked) (in|into) the (bathroom|shower|toilet) when",
        r"(sends|sent|send) (her|him|me|them) (pics|pictures|photos|videos|money|messages|gifts)",
        r"(don't|do not|didn't) like (it )?when .{0,40}(baths|bathes|bathed|washes|washed|undresses|undressed|touches|touched|kisses|kissed|cuddles|tickles|comes in|lies down|gets in)( me| my| with)?",
        r"(man|men|he|uncle|boyfriend|step-dad|lodger|someone|cousin|friend|dad's friend|mum's friend)( who [a-z ]{0,30})? (comes|came|goes|went|gets|got) (into|in) my (bed|room)",
        r"(touch|touches|touched|touching|feel|feels|felt) (me|my (private|privates|private parts|body|bum|chest|boobs|willy|fanny|legs))",
        r"(private|privates|private parts|down there)",
        r"(make|makes|made|making) me (touch|watch|do things|do stuff|take (my|off))",
        r"(rape|raped|raping|rapes|molest\w*|fiddl\w* with)",
        r"sexual\w*|sex with|have sex|had sex",
        r"(nudes|naked|sexy pics|sexy pictures)",
        r"(pictures|pics|photos|videos) of me (naked|with no clothes)",
        r"(comes|came|come|gets|got) (into|in) my (bed|room) (at night|when)",
        r"(sleeps|slept|sleep) in my bed",
        r"inappropriate\w*",
        r"(with|had|has|have|having|got) no clothes on|without (any )?clothes( on)?",
        r"porn\w*",
        r"(rude|dirty|sexy) (videos|pictures|pics|photos|films|websites)",
    ],
    "abuse_emotional": [
        r"(wish|wishes|wished) (i|i'd) (was|were|had) (never been born|never born|dead)",
        r"(said|says|tells me|told me) (i'm|i am|i was) (worthless|useless|a mistake|nothing|rubbish|evil|ugly|fat|stupid|disgusting)",
        r"(call|calls|called) me (worthless|useless|a mistake|evil|disgusting|a slag|a whore|a bitch|names all the time)",
        r"(threatens|threatened|threaten) to (kick me out|send me away|put me in care|leave me)",
        r"(not|never) (allowed|let) (to )?(eat|see my friends|go out|leave my room|have food)",
        r"(makes|made) me (stand|sit|kneel) (outside|in the corner|for hours|all night)",
        r"(makes|made|make|making) (me|us) (sleep|stay|live) (in|on|outside) (the )?(shed|garden|floor|cupboard|garage|cold|outside|landing|doorstep|bathroom)",
        r"(not|never|isn't|aren't) allowed to (eat|sit) with (the family|us|them|everyone)",
        r"(have to|has to|made to|make me|makes me) eat (in my room|on the floor|separately)",
    ],
    "neglect": [
        r"(doesn't|don't|didn't|never|not) (come|coming|came) (back|home) (til|until|till) (the next day|morning|late|the morning)",
        r"(goes|go|went|going) out and (leaves|left|doesn't come back|don't come back|never comes back)",
        r"(no one|nobody) (picks|picked|collects|collected) (me|us) up",
        r"(no|not enough|never any|never enough|nothing|isn't any|isn't enough|there's no|ain't no) (food|dinner|tea|breakfast|to eat)( in the house| at home)?",
        r"(hungry|starving|starved|starve) (all the time|a lot|every day|at home|most days|again|because)",
        r"(always|so|really) (hungry|starving)",
        r"(don't|doesn't|didn't|never|not) (get|gets|got|been|being) (fed|feed|food)",
        r"(feed|feeds|fed) (me|us) (nothing|only)",
        r"(left|leave|leaves|leaving) (me|us) (alone|on my own|on our own|home alone|by myself|by ourselves|in the house)",
        r"home alone",
        r"(no one|nobody) (looks after|feeds|cooks for|picks up|takes care of|cares for|washes) (me|us)",
        r"(no|not any|don't have|haven't got) (heating|electric|electricity|gas|hot water|clean clothes|bed|shoes that fit)",
        r"(dirty|smelly) (clothes|house|flat|bed)",
        r"(drunk|drinking|high|off (her|his|their) face|passed out|wasted|on drugs|taking drugs|smoking weed|using) (all the time|every day|every night|again|most days|and)",
        r"(mum|dad|she|he|they) (is|are|was|were|gets|get|got) (always )?(drunk|high|wasted|passed out|off (her|his|their) face)",
        r"look after my (little |baby )?(brother|brothers|sister|sisters|siblings) (all the time|every|on my own|because|when)",
        r"(don't|doesn't|never|didn't) (take|took|get|got) (me|us) to (the )?(doctor|dentist|hospital|school)",
        r"neglect\w*",
        r"(haven't|have not|hasn't|not|didn't|never) (eaten|had (any )?(food|dinner|breakfast|tea|lunch|anything to eat)) (since|for|all)",
        r"nothing (in the (cupboards?|fridge|house)|to eat)",
        r"empty (cupboards?|fridge)",
        r"(locks|locked|lock) (the )?(fridge|food|cupboards?|kitchen)",
        r"only (get|gets|got|allowed|have) (food|to eat|dinner|tea|fed|a meal) (if|when)",
        r"(no one|nobody|no body) (come|came|comes|turned up|turns up) (to )?(get|pick up|collect|for) (me|us)",
        r"(forgets|forgot|forget|forgetting) (to )?(pick|collect|feed|get) (me|us)",
        r"(mum|dad|she|he|they|my carer) (sleeps|is asleep|stays in bed|is in bed|sleep|are in bed) all day",
        r"(have to|has to|had to|got to) (feed|look after|get|dress|bath|wash|put) (my )?(little )?(sisters?|brothers?|siblings|the baby|the little ones)( ready| to bed| up)?",
        r"(men|strange men|different men|strangers|people i don't know) (at|in|round|coming to|come to|come round to|over at) (our|my|the) (house|flat|home)",
    ],
    "domestic_abuse": [
        r"(fight|fights|fighting|argue|argues|arguing|row|rows|rowing) (every night|all the time|every day|loads|non stop|constantly)",
        rf"{_PEOPLE} {_HARM_VERBS} (my )?(mum|dad|her|him|step-mum|step-dad|nan)",
        r"(shouting|screaming|fighting|arguing|smashing (things|stuff|plates)) (at night|all the time|every night|and (hitting|throwing|smashing))",
        r"police (came|come|comes|were called|got called|was called|had to come)",
        r"domestic (abuse|violence)|\bdv\b",
        r"(partner|ex|ex-partner|husband|boyfriend|wife|girlfriend) (hits|hurts|hurt|hit|threatens|threatened|controls|controlling|strangled|choked|beats|beat|attacked|follows|stalks|won't leave me alone)",
        r"(scared|frightened|afraid|terrified) of (my |our |the )?(dad|mum|step-dad|step-mum|partner|ex|boyfriend|husband|him|her|carer|carers|foster carer|uncle|brother)",
        r"(controlling|coercive|coercion)",
        r"(take|took|takes) (my|all my) (money|phone|bank card) (off|away)",
        r"(partner|husband|boyfriend|ex|ex-partner|wife|girlfriend) (checks|check|checked|checking|goes through|went through|reads|read|took|takes|smashed|smashes) my (phone|messages|texts|emails|bank|post)",
        r"(partner|husband|boyfriend|ex|ex-partner|wife|girlfriend) (won't|doesn't|don't|never|wouldn't|didn't) (let|allow) (me|us) (to )?(see|talk to|speak to|go out|visit|leave|have|ring|phone|call|contact)",
        r"(won't|doesn't|wouldn't|didn't) (let|allow) (me|us) (to )?(see|talk to|speak to|visit|ring|phone|call|contact) (my |our )?own family",
        r"(grabbed|grabs|grab|held|holds|had) (me|her|him|my mum|my dad) (by|round|around) the (throat|neck)",
        r"(ex|ex-partner|partner|husband|boyfriend|a man|an older man|a guy|someone) (keeps|kept|is|was|has been) (waiting|turning up|following|watching|hanging around|sitting|parked|standing) (outside|at|near|for|me)",
    ],
    "self_harm_suicide": [
        r"(notice|care|miss me|matter) if i (wasn't|was not|weren't|was gone|died|disappeared|wasn't here|wasn't around)",
        r"if i (wasn't|weren't) (here|around|alive)",
        r"(feel like|thinking about|think about|thought about|want to|going to|gonna) (ending|end) (it|things|everything|my life)",
        r"(don't|can't|do not|cannot) see (the|any) point( in (anything|living|life|going on|being here))?",
        r"(go to sleep|sleep|fall asleep) and (not|never) wake up",
        r"(started|start|been|keep|am|i'm|was) (cutting|burning|scratching|hurting)( myself| again)",
        r"cutting again",
        r"i (sh|s / h)( again| sometimes| a lot| every)?",
        r"(kill|killing|killed|hurt|hurting|harm|harming|cut|cutting|cuts|burn|burning|starve|starving|hang|hanging|strangle|punch|punching|hit|hitting) myself",
        r"self-harm\w*|self harm\w*",
        r"suicid\w*",
        r"(want|wanted|wanting|want to|going to|gonna) (to )?(die|be dead|end it|end it all|end my life|not exist|disappear)",
        r"(wish|wished|wishing) (i|i'd) (was|were|could be|had) (dead|die|gone|never been born|not here|disappear)",
        r"(end|ending|ended) (it all|my life|everything)",
        r"(don't|do not|doesn't|no longer|not) (want to|wanna|wish to) (be here|be alive|live|wake up|exist)( anymore| any more)?",
        r"better off (dead|without me|if i (was|were) (dead|gone))",
        r"no (point|reason) (in )?(living|being alive|being here|anything|to live|going on)",
        r"(overdose|overdosed|od'd|took (a load of|loads of|all the|some|a lot of) (pills|tablets|paracetamol))",
        r"(cut|cutting|cuts|scratch|scratching) (my )?(arms?|legs?|wrists?|thighs?|skin)",
        r"(can't|cannot) (go on|take it|take it anymore|do this anymore|cope anymore|cope any more)",
        r"(not|won't|don't want to) be (here|around) (much longer|for long|anymore)",
        r"(kill|end) me now",
        r"(happier|better off|easier|better) (if|when|without) (i was gone|i were gone|i was dead|i wasn't here|i wasn't around|i died|me)",
        r"(razor|razors|blades)",
        r"(do|doing|did|does) my (arms|legs|wrists|thighs|skin) with",
        r"how (much )?(longer|long) (i can|can i) (do this|go on|cope|keep going|take (it|this)|carry on)",
        r"(everything is|everything's|life is|it's all|its all|it is all) (too much|too hard)",
        r"(took|taken|swallowed|had|downed|take) (a load of|loads of|a lot of|a handful of|a bunch of|too many|lots of|a pack of|a whole pack of|a packet of|the whole packet of|a box of|all|all of) ([a-z']+ )?(pills|tablets|paracetamol|meds|medication)",
        r"(jump|jumping|jumped) (off|in front of|from) (a|the) (bridge|building|roof|train|bus|car|cliff|balcony|car park|multi-storey|window)",
        r"(notice|care|miss me) if i (wasn't|was not|was gone|died|stopped|disappeared|went|left|weren't|didn't)",
    ],
    "missing": [
        r"(sleeping|staying|slept|stayed|sleep|stay) (at|in|on) (different|random|other|strangers|stranger's) (people's |peoples |men's )?(houses|flats|places|sofas|people's|peoples)",
        r"sofa surf\w*",
        r"(stay|stayed|staying|sleep|slept|sleeping) out (\d+|a few|two|three|four|all|for|some) (nights?|days?|weekends?)",
        r"(run|runs|running|ran) away",
        r"(go|goes|going|gone|went|been) missing",
        r"reported (me )?missing",
        r"(stay|stayed|staying|sleep|slept|sleeping) (out|over) (all night|for days|without telling)",
        r"(stay|stayed|staying|sleep|slept|sleeping) (at|round|in) (a|an|some|this) (older )?(man|men|guy|guys|stranger|lad)'?s?",
        r"(don't|didn't|never) (come|came|go|went) home( for| at| all)",
        r"out all night",
        r"(sleep|sleeping|slept) (rough|on the streets|in a park|in the park|on a bus|on buses)",
        r"on the streets",
        r"nowhere to (go|sleep|stay)",
        r"(haven't|have not|not|didn't|never) been (home|back home) (for|in|since)",
        r"(sleep|sleeping|slept|live|living|lived) in (the|a|our|mum's|dad's|his|her) (car|van)",
        r"(walk|walking|wander|wandering) (round|around|about|the streets) (til|till|until) (late|midnight|dark|it gets dark|the morning)",
    ],
    "exploitation": [
        r"(video|videos|pics|pictures|photos) of me",
        r"(send|share|post|show|put) (it|them) (to|on|online) (everyone|my|all|the)",
        r"if i (don't|do not|won't) do what (they|he|she) (want|wants|say|says|tell|tells)",
        r"(man|men|guy|someone|person|boy|lad|people|stranger) (from|on|off) (snapchat|instagram|tiktok|online|the internet|discord|a game|an app|whatsapp)",
        r"(wants|want|asked|asks|told) me to (go|come) (to|round|back to|in) (his|their|her) (house|flat|place|car|room)",
        r"(take|took|takes|taking) (my|all my) (money|phone|bank card|benefits|card)",
        r"(lots of|loads of|wads of|a lot of|rolls of) (cash|money)",
        r"(second|2nd|another|extra|burner|new) phones?",
        r"(give|gives|gave|buy|buys|bought|get|gets|got) me free (money|cash|weed|drugs|alcohol|vodka|drink|phones?|presents|gifts|trainers|clothes|nails|vapes|food|stuff)",
        r"(older|old|grown) (boys|men|man|guys|guy|lads|boyfriend|friends|people)",
        r"county lines|cuckoo\w*|trap house|plugg\w*",
        r"(carry|carrying|carried|hold|holding|held|deliver|delivering|delivered|sell|selling|sold|drop|dropping|move|moving|run|running) (drugs|packages|parcels|stuff|a bag|bags|things|food|weed|sim cards|phones) (for|to)",
        r"(sell|selling|sold|deal|dealing|dealt) (drugs|weed|coke|crack|stuff)",
        r"(owe|owes|owed) (them|him|her|people|someone|a guy|a man)",
        r"(in debt|a debt) (to|with)",
        r"(give|gives|gave|buy|buys|bought|get|gets|got) me (money|cash|weed|drugs|alcohol|vodka|drink|a phone|phones|presents|gifts|trainers|clothes|nails|vapes)",
        r"(groom|grooms|groomed|grooming)",
        r"(meet|met|meeting|meet up|met up) (up )?(with )?(a man|a guy|someone|people|an older|a boy|a stranger) (from|i met|he met|she met|off) (online|the internet|snapchat|instagram|tiktok|discord|an app|a game)",
        r"(send|sent|sending|asked for|asks for|wants) (him|them|her|me)? ?(pics|pictures|photos|nudes|videos)",
        r"(made|make|makes|making|forced|force|forces) (me|us) (do|sell|carry|hold|deliver|steal|keep)",
        r"(gang|gangs|gang members?|olders)",
        r"(exploit|exploited|exploiting|exploitation)",
        r"(my|a|the|his|her) (boyfriend|girlfriend) (is|was) (\d\d|much older|older|an adult|grown up)",
        r"(pays|paid|pay|gives|gave|give) (me|us|him|her|them) (money |cash |£\d+ )?to (take|carry|drop|deliver|hold|move|keep|look after|stash|sell) (bags|packages|parcels|stuff|things|a bag|phones|drugs|weed)",
        r"(take|takes|took|taking) (bags|packages|parcels|stuff) (to|for) (people|them|him|someone|places)",
        r"(make|makes|made|making) (me|us) (keep|hold|carry|hide|stash) (stuff|things|packages|bags|a bag|drugs|weed|it)",
        r"(hold|holding|stash|stashing|hide|hiding) (stuff|packages|drugs|weed|a bag|bags) for (them|him|her|someone|people|the olders)",
    ],
    "threats": [
        r"threatening (messages|texts|calls|me|letters|voicemails)",
        r"burn (the|my|our|your) (house|flat|place|car) down",
        r"(he'll|she'll|they'll|he will|she will|they will|he would|she would|he'd|she'd|they'd) [a-z' ]{0,30}(kill|stab|hurt|batter|beat|shoot|burn) (me|us|my)",
        r"(they'll|they will|he'll|he will) (come|be) back",
        r"(threaten|threatens|threatened|threatening|threat|threats) (me|us|to|my)",
        r"(said|says|say|told me|tells me) (he|she|they|he'll|she'll|they'll|he'd|she'd|they'd) ?(will|would|going to|gonna|is going to|are going to)? ?(kill|stab|hurt|get|beat|batter|shoot|burn|shank|merk|jump|find) (me|us|my)",
        r"(going to|gonna|will|gon|gunna|is going to|are going to) (kill|stab|hurt|batter|beat up|shoot|shank|merk|jump) (me|us|my)",
        r"(kill|stab|hurt|shank|merk|batter|beat|jump|shoot) (me|us) if",
        r"(i'll|i will|i could|i might) (get|be) (hurt|stabbed|killed|jumped|beaten up|shot)",
        r"(they|he|she) (know|knows) where i live",
        r"(knife|knives|blade|machete|gun|zombie knife)",
        r"(stab|stabbed|stabbing|shank|shanked|shot at)",
        r"watch my back",
        r"(blackmail|blackmailing|blackmailed)",
        r"(will|'ll|he'll|she'll|they'll|going to|gonna|would|he'd|she'd|they'd) (break|smash|snap) (my|your|his|her|our) (legs|leg|arms|arm|face|neck|nose|jaw|fingers|head|teeth)",
        r"(i'll|you'll|i will|you will|she'll|she will|he'll|he will) regret (it|leaving|this|telling|going)",
        r"(if|next time) i (grass|grassed|snitch|snitched)",
    ],
    "fear_of_home": [
        r"(don't|do not|never|doesn't|didn't) (want|wanna|want to) (to )?(go|going|be|live|stay) (back )?(home|there|at home|with (him|her|them|my (mum|dad))|to (my )?(mum|dad|mum's|dad's|mums|dads|his|her|their|that|nan's|uncle's)\b)",
        r"(scared|afraid|frightened|terrified|worried|dread|dreading|hate) (to go|of going|going|to be|of being|about going) (back )?(home|there)",
        r"(please )?(don't|do not|never) (make|send|let|take) me (go |going )?back",
        r"(please )?don't send me (home|back|there)",
        r"(not|don't|never|isn't|ain't|doesn't|didn't|no longer|won't) (feel |feel very |feel really |really |very )?(safe|secure)",
        r"unsafe",
        r"(scared|frightened|afraid|terrified|scary) (at|in) (home|my house|our house|my room|there)",
        r"(scared|frightened|afraid|terrified) (all the time|every night|when (he|she|they) (comes|come|gets|get|drinks))",
        r"(hide|hiding|hid) (in|under) (my room|the bed|my bed|the wardrobe|the bathroom)",
        r"(can't|cannot|don't want to) (go back|go home|live there)",
        r"(not nice|horrible|awful|scary|bad) (there|at home|in my house)[^.!?]{0,20}(walk|stay out|stay away|wander)",
    ],
    "parent_risk": [
        r"(don't|can't|cannot|do not) trust myself (around|with|near)",
        r"(might|could|will|going to|gonna|would|afraid i'll|scared i'll|worried i'll|worried i might|scared i might|afraid i might|feel like i could|feel like i might|i'll) (hurt|harm|hit|kill|shake|strangle|smother|lose it with|snap at|batter|lash out at) (him|her|them|the baby|my baby|the kids|my kids|my son|my daughter|my child|the children|my children|myself)",
        r"(i'm|i am) going to (lose it|snap|do something stupid)",
        r"(can't|cannot) (cope|cope anymore|cope any more|take any more|take anymore|carry on)( with (him|her|them|the kids|the baby|it all|this))?$",
        r"(can't|cannot) cope (anymore|any more|with (him|her|them|the kids|the baby|it all))",
        r"(at the end of my tether|breaking point|reached my limit|falling apart)",
        r"(shook|shake|shaking) the baby",
        r"(lose|lost) my (temper|rag) with (him|her|them|the kids|the baby)",
    ],
    "secrecy": [
        r"(says|said|told (me|her|him|us)|tells (me|her|him|us)) (i|we|she|he) (can't|cannot|mustn't|shouldn't|isn't allowed to|am not allowed to) tell",
        r"(says|said|told (me|her|him|us)|tells (me|her|him|us)) (not to|never to|to not) (tell|say)",
        r"(keep|keeping|kept|keeps) (it|this|that|things|stuff|what happened)? ?(a |as a |our )?secrets?",
        r"(our|a|big|little) secret",
        r"(told|tells|tell|said|says|warned) (me|us) (not to|never to|to never|to not|i can't|i cannot|not) (tell|say|talk|speak)",
        r"(not|don't|never|isn't) (allowed|supposed|meant) to (tell|say|talk about|speak about)",
        r"(get|be|will be|would be|i'll be|i'd be) in (trouble|big trouble) if i (tell|told|say|said|talk)",
        r"if i (tell|told|say|said) (anyone|someone|you|anybody|them|the social worker)",
        r"(can't|cannot|mustn't) tell (anyone|anybody|you|no one|the social worker|my teacher)",
        r"(scared|afraid|frightened) to (tell|say|talk)",
    ],
}

# Everyday phrases that contain trigger words but are not disclosures: blanked out first.
FALSE_ALARMS: list[str] = [
    r"(scary|horror|creepy|zombie|war|shooting|fighting|killing|violent|crime|murder|gangster|spooky|halloween) (film|films|movie|movies|game|games|story|stories|book|books|show|shows|programme|series|video|videos|mask|costume|bits)",
    r"(game|games|film|films|movie|movies|show|series)[^.!?]{0,40}(stabbing|guns|killing|shooting|knives|blood)|(stabbing|guns|killing|shooting|knives|blood)[^.!?]{0,40}(game|games|film|films|movie|movies)",
    r"horror( film| films| movie| movies| game| games| story| stories| book| books)?",
    r"(killing|killed|kill|kills|smashing|smashed|smash) (it|them) (at|in|on|today|this)",
    r"(killing|killed|kill|kills|smashing|smashed) it",
    r"kill (time|the time|some time)",
    r"kill (the|a|all the|loads of) (zombies|zombie|boss|monsters?|enemies|dragon|bad guys|creeper|creepers)",
    r"(dying|die|died|dead) (to|for|of (laughter|boredom|embarrassment)|laughing)",
    r"(died|dying|dead) laughing",
    r"to die for",
    r"bored to death",
    r"(dead|deadly) (good|funny|easy|boring|nice|lush)",
    r"(laughed|laughing|crying|cried) (my head|myself) (off|silly)",
    r"(my|mum|dad|she|he|they|teacher|my mum|my dad|my carer|nan) (will|would|'ll|is going to|gonna|are going to) (kill|murder) me (if|when)[^.!?]*(lol|haha|lmao|😂)",
    r"(nobody|no one|no-one|never been|never|not been|no body|doesn't|don't|didn't|nothing) {0,1}{_HARM_VERBS} (me|us)",
    r"cut (my|the|his|her|your|our) (hair|nails|grass|food|cake|fringe|toenails|finger)",
    r"(paper|hair) ?cuts?",
    r"hit (the )?(ball|gym|target|jackpot|road|books|shops|sack|hay|button|high notes?)",
    r"(big|a) hit (with|at)",
    r"(secret|secrets) (santa|garden|base|den|recipe|surprise|present|party|agent|level|code|club|diary|handshake)",
    r"(surprise|birthday|christmas) (party|present)[^.!?]*secret|secret[^.!?]*(surprise|birthday|christmas) (party|present)",
    r"knife and fork|butter knife|knives and forks",
    r"play (fight|fighting)|play-fight\w*",
    r"(football|rugby|boxing|karate|judo|martial arts|taekwondo|kickboxing|mma) [^.!?]{0,30}(hit|hits|punch|punches|kick|kicks|kicked|punched)",
    r"(hit|hits|kick|kicks|kicked|punch|punches|punched) (the|a) (ball|bag|pads|punchbag)",
    r"(run|ran|running) away (from|with) (the|a) (ball|dog|cat|bees?|wasps?)",
    r"(go|went|going) missing (from|in) (the|my) (washing|wash|bag|drawer)",
    r"(missing|lost) (sock|socks|shoe|shoes|homework|phone charger|keys)",
    r"(safe|secure) (space|place|word)",
    r"{_HARM_VERBS} (me|us) (by accident|accidentally|with (a|the) (ball|football|pillow|door))",
    r"(older|old|grown) (brother|sister|cousin|kids|children|people at (school|the club))",
    r"(hungry|starving)[^.!?]{0,40}(so i (have|had|get|got|eat|ate|grab|make) (a |some )?(snack|sandwich|toast|crisps|biscuits|something|fruit)|i ate (two|2|three|3|loads|seconds|extra|everything))",
    r"(film|films|movie|documentary|video|talk|lesson|lessons|assembly|workshop|play|project|session|book|story|programme|show) (about|on) ([a-z]+ ){0,3}(knife crime|knives|knife|gangs|drugs|county lines|running away|grooming|online safety|bullying|consent|missing people)",
    r"police (came|come|visited|visit|comes|were|was) (in|to|into) (our |my |the )?(school|class|college|assembly|youth club)",
    r"(beat|beats|beating|beaten|thrashed|smashed) (me|us|my [a-z]+|him|her|them) (at|in) (fifa|chess|cards|monopoly|uno|football|tennis|ping pong|pool|snooker|darts|mario kart|minecraft|fortnite|roblox|games?|a game|the game|a race|the race|racing|running|swimming|[a-z]+ (game|games|match|race))",
    r"(she'll|he'll|they'll|she'd|he'd) (kill|murder) me (if|when)(?! i (tell|told|say|said|speak|talk))[^.!?]*(lol|haha|lmao|😂)",
]

_PEOPLE_IN_ANSWER = re.compile(
    r"\b(mum|dad|mum's|dad's|mums|dads|step-dad|step-mum|step dad|step mum|boyfriend|girlfriend|partner|uncle|"
    r"aunty|auntie|brother|sister|cousin|nan|grandad|carer|carers|teacher|man|men|boys|lads|he|she|him|her|"
    r"someone|somebody|at home|my house|our house|when \w+ (drinks|is drunk|gets angry|comes))\b"
)
_REASSURING = re.compile(
    r"^\W*(no|nothing|none|nobody|no one|no-one|not really|never|nah|all good|i'm fine|i am fine|i feel safe|"
    r"everyone|i'm safe|i am safe|fine)\b"
)

# A worry that the answer itself says is in the past AND resolved ("i ran away once ages ago
# but that's all sorted now", "when i was little we had no heating but now we have a nice
# flat") is not for today's duty team. Only for these kinds: any mention of abuse, harm to
# oneself, threats, exploitation or secrets is flagged whenever it happened.
RESOLVABLE = frozenset({"fear_of_home", "missing", "neglect"})
_PAST = re.compile(
    r"(?<![\w'])(used to|ages ago|years ago|a long time ago|when i was (little|younger|small|a kid|a baby|in year \d+)|"
    r"last year|at my old (placement|school|house|home|foster home|carers)|before i (came|moved)|once)(?![\w'])"
)
_RESOLVED = re.compile(
    r"(?<![\w'])(but|and|now) ([^.!?]{0,40} )?((is|are|it's|that's|its|everything's|everything is|things are|all) "
    r"(all )?(sorted|resolved|fine|ok|okay|good|better|over|great|safe)|i do now|(i'm|i am|i feel) (happy|safe|fine|ok|okay|settled)|"
    r"we have (a nice|a new|a lovely|a good)|(she|he|they) (stopped|has stopped|have stopped))(?![\w'])"
)
_RELAPSE = re.compile(r"(?<![\w'])(again|still|started|starting|back to|anymore|any more)(?![\w'])")
_SENTENCE_END = re.compile(r"[.!?]")


def _resolved_past(text: str, start: int, end: int) -> bool:
    """Whether the match [start, end) sits in a sentence that puts it in the past, resolved."""
    s = max(text.rfind(".", 0, start), text.rfind("!", 0, start), text.rfind("?", 0, start)) + 1
    m = _SENTENCE_END.search(text, end)
    sentence = text[s:m.start() if m else len(text)]
    resolved = _RESOLVED.search(sentence, end - s)
    return bool(resolved and _PAST.search(sentence) and not _RELAPSE.search(sentence))


_COMPILED: dict[str, re.Pattern[str]] = {}
_FALSE_ALARM_RE: re.Pattern[str] | None = None
_PREFILTER: Prefilter | None = None
_FALSE_ALARM_PREFILTER: Prefilter | None = None


def _bounded(patterns: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w'])")


def _compiled() -> tuple[dict[str, re.Pattern[str]], re.Pattern[str]]:
    """Compile once: every reason's patterns, the false alarms, and the pre-checks (prefilter.py)."""
    global _FALSE_ALARM_RE, _PREFILTER, _FALSE_ALARM_PREFILTER
    if _FALSE_ALARM_RE is None:
        for reason, patterns in TRIGGERS.items():
            _COMPILED[reason] = _bounded(patterns)
        _PREFILTER = Prefilter(TRIGGERS)
        false_alarms = [p.replace("{_HARM_VERBS}", _HARM_VERBS) for p in FALSE_ALARMS]
        _FALSE_ALARM_PREFILTER = Prefilter({"false_alarm": false_alarms})
        _FALSE_ALARM_RE = _bounded(false_alarms)
    return _COMPILED, _FALSE_ALARM_RE


@dataclass
class SafeguardingResult:
    flag: bool
    evidence: list[str] = field(default_factory=list)  # original words that triggered the flag
    reasons: list[str] = field(default_factory=list)  # which kinds of risk, e.g. "self_harm_suicide"

    def __bool__(self) -> bool:
        return self.flag


def _scan(norm: Normalised, evidence: list[str], reasons: list[str], prefilter: bool = True) -> None:
    """Search the trigger patterns (false alarms blanked out first), adding evidence and reasons.

    With ``prefilter`` (the default) a reason's patterns are searched only when the text holds
    one of the plain strings that every match of them must contain (``prefilter.Prefilter``,
    worked out from the patterns themselves): the same result, without running ~200 patterns
    over answers that cannot match any of them.
    """
    triggers, false_alarms = _compiled()
    text = norm.text
    if prefilter:
        assert _PREFILTER is not None
        possible = _PREFILTER.candidates(text)
        if not possible:
            return
        todo = [(r, rx) for r, rx in triggers.items() if r in possible]
        assert _FALSE_ALARM_PREFILTER is not None
        blank = bool(_FALSE_ALARM_PREFILTER.candidates(text))
    else:
        todo = list(triggers.items())
        blank = True
    # Blank out false alarms, keeping character positions (so evidence maps to the original).
    scan = false_alarms.sub(_blank, text) if blank else text
    for reason, regex in todo:
        for m in regex.finditer(scan):
            if reason in RESOLVABLE and _resolved_past(scan, m.start(), m.end()):
                continue
            words = norm.original_span(m.start(), m.end()).strip()
            if not words:
                continue
            if words not in evidence:
                evidence.append(words)
            if reason not in reasons:
                reasons.append(reason)


def _blank(m: re.Match[str]) -> str:
    return " " * (m.end() - m.start())


def check(text: str | Normalised, question: str | None = None, prefilter: bool = True) -> SafeguardingResult:
    """Flag a possible disclosure, with the words that triggered it and the kind of risk.

    ``question`` matters: an answer naming a person or a place to "Who or what makes you feel
    unsafe or scared?" is flagged although it has no alarming word of its own.
    """
    norm = text if isinstance(text, Normalised) else normalise(text)
    evidence: list[str] = []
    reasons: list[str] = []
    _scan(norm, evidence, reasons, prefilter)
    if not reasons and named_in_risk_answer(norm, question):
        evidence.append(norm.original.strip()[:120])
        reasons.append(SOFT_REASON)
    return SafeguardingResult(bool(reasons), evidence, reasons)


# The old catch-all: a person or place named in answer to a worry question. Alone it is only a
# hint, not a flag: ``pipeline.classify`` keeps it only when the trained flag's score for the
# answer passes ``TextModel.soft_threshold`` (a scored check); without a model it still flags.
SOFT_REASON = "named_in_answer_to_safety_question"


def named_in_risk_answer(text: str | Normalised, question: str | None) -> bool:
    """Whether an answer to a worry/safety question names a person or a place (no other rule)."""
    if question_kind(question) != "risk":
        return False
    norm = text if isinstance(text, Normalised) else normalise(text)
    answer = norm.text.strip()
    return bool(answer and non_answer(norm.original) is None and not _REASSURING.search(answer)
                and _PEOPLE_IN_ANSWER.search(answer))
