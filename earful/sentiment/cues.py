"""Hand-written per-language cues: problems, requests, praise, sarcasm, spam, ads, job posts,
negators and intensifiers.

A term ending in ``*`` matches any word starting with it (``zepsu*`` matches "zepsuł", "zepsuta").
Multi-word terms allow any run of spaces. Chinese and Japanese terms match as substrings. English
cues are checked for every post (English phrases turn up in posts of all languages).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

CJK = {"zh", "ja"}

CUES: dict[str, dict[str, list[str]]] = {
    "en": {
        "problem": [
            "refund*", "still waiting", "still not", "still no", "still haven't", "still hasn't", "still don't",
            "still doesn't", "still can't", "never arrived", "never received", "never got", "not arrived",
            "hasn't arrived", "haven't received", "hasn't been", "not received", "didn't arrive", "didn't receive",
            "not working", "doesn't work", "don't work", "didn't work", "isn't working", "won't work",
            "stopped working", "won't load", "can't log*", "cannot log*", "can't access", "unable to",
            "can't get", "cannot get", "won't let", "not loading", "keeps crashing", "crash*", "broken", "broke",
            "error*", "glitch*", "bug", "bugs", "buggy", "outage", "is down", "went down", "down again",
            "delay*", "cancel*", "overcharg*", "charged twice", "double charged", "charged me", "lost my",
            "lost", "missing", "damaged", "faulty", "defective", "wrong item", "wrong order", "wrong size",
            "worst", "terrible", "horrible", "awful", "useless", "pathetic", "ridiculous", "disgrace*",
            "disgusting", "unacceptable", "appalling", "shocking", "rubbish", "joke", "scam*", "rip off",
            "ripped off", "fraud", "disappoint*", "frustrat*", "annoy*", "fed up", "sick of", "tired of",
            "no response", "no reply", "no one", "nobody", "no answer", "ignor*", "on hold", "hours",
            "waiting for", "been waiting", "complain*", "issue*", "problem*", "trouble", "fix", "fixed",
            "poor service", "customer service", "rude", "late", "stuck", "failed", "fails", "not happy",
            "unhappy", "why is", "why does", "why do", "why can't", "why won't", "what's going on",
            "what is going on", "seriously", "wtf", "again", "yet again", "every time", "no signal",
            "no internet", "no wifi", "no service", "no power", "out of stock", "sold out", "overpriced",
            "expensive", "charged", "bill", "billing", "not good enough", "hate", "hates", "sucks",
        ],
        "request": [
            "please", "pls", "plz", "help", "can you", "could you", "can someone", "can anyone",
            "dm me", "dm'd", "dmed", "any update*", "when will", "when is", "how long", "who can i",
            "who do i", "how do i", "how can i", "need help", "need to speak", "sort this", "sort it",
            "get back to me", "respond", "reply", "contact", "answer me",
        ],
        "praise": [
            "thank you", "thanks", "thx", "love", "loving", "loved", "great", "amazing", "awesome",
            "excellent", "fantastic", "brilliant", "perfect", "best", "wonderful", "superb", "well done",
            "good job", "great job", "kudos", "shout out", "shoutout", "impressed", "happy with",
            "pleased", "recommend", "fast delivery", "quick response", "so helpful", "very helpful",
            "appreciate*", "cheers",
        ],
        "sarcasm": [
            "thanks for nothing", "thanks a lot", "thanks for the", "great job", "oh great", "just great",
            "yeah right", "/s", "love how", "love it when", "love waiting", "so glad i", "well done",
            "nice one", "what a joke", "good job", "bravo", "wow", "clearly", "totally", "genius",
            "thanks again", "as usual", "as always", "shocker", "surprise surprise",
        ],
        "phishing": ["pay here", "pay now", "customs fee", "update your payment", "you have been selected", "claim here", "claim it here", "unusual sign-in", "unusual login", "call us immediately", 
            "verify your account", "verify your identity", "confirm your account", "account suspended",
            "account will be suspended", "click the link", "click this link", "click here", "login here",
            "send us your password", "your password", "card details", "claim your", "claim now",
            "you have won", "you've won", "you won", "winner", "giveaway", "airdrop", "free bitcoin",
            "crypto", "wallet", "whatsapp", "telegram", "dm us your", "send your details",
            "contact our support on", "support team on", "recover your account",
        ],
        "ad": [
            "free trial", "try it free", "try for free", "sign up now", 
            "% off", "promo code", "discount code", "use code", "coupon", "shop now", "buy now",
            "order now", "limited offer", "limited time", "sale ends", "free shipping", "deal of the day",
            "check out our", "sponsored", "#ad", "#sponsored", "flash sale",
        ],
        "job": [
            "we're hiring", "we are hiring", "now hiring", "#hiring", "#job", "#jobs", "job opening",
            "job opportunity", "apply now", "apply here", "vacancy", "vacancies", "join our team",
            "is hiring", "career opportunit*", "internship",
        ],
        "negator": ["not", "no", "never", "don't", "dont", "doesn't", "didn't", "isn't", "wasn't",
                    "won't", "can't", "cannot", "haven't", "hasn't", "nothing", "nobody", "neither", "nor"],
        "intensifier": ["very", "so", "really", "extremely", "totally", "absolutely", "completely",
                        "super", "too", "such"],
    },
    "ru": {
        "problem": [
            "опять", "снова", "без предупреждения", "лежит", "что случилось", "что за фигня", "отклоня*", "заблокир*", 
            "не работа*", "не работ*", "не могу", "не получа*", "не приш*", "не пришл*", "не доставлен*",
            "не дошл*", "не отвеча*", "не отвечают", "не вернул*", "не открыва*", "не грузит*",
            "не загружа*", "до сих пор", "всё ещё", "все еще", "уже неделю", "уже месяц", "который день",
            "возврат*", "верните", "вернуть деньги", "списал*", "списание", "дважды", "ошибк*", "сбой*",
            "глюч*", "лаг*", "завис*", "слома*", "сломан*", "полом*", "брак*", "поврежд*", "задерж*",
            "опозда*", "отмен*", "потерял*", "пропал*", "ужас*", "кошмар*", "отвратит*", "безобраз*",
            "позор*", "хамств*", "хамы", "обман*", "мошенн*", "развод*", "надоел*", "достал*", "бесит",
            "жалоб*", "претензи*", "проблем*", "нет связи", "нет интернета", "нет сети", "не ловит",
            "худш*", "разочаров*", "невозможно", "сколько можно", "почему", "когда уже", "не пойму",
            "плох*", "отстой", "дерьм*", "уже час", "уже два", "где мой", "где моя", "где заказ",
        ],
        "request": ["помогите", "пожалуйста", "подскажите", "когда", "как мне", "кто может",
                    "ответьте", "разберитесь", "прошу", "напишите"],
        "praise": ["спасибо", "благодар*", "отличн*", "супер", "класс*", "молодц*", "лучш*", "рекоменд*",
                   "прекрасн*", "замечательн*", "люблю", "нравится", "доволен", "довольна", "быстро",
                   "круто", "хорош*"],
        "sarcasm": ["спасибо за", "ну спасибо", "браво", "молодцы, ", "как всегда", "ага, конечно",
                    "отличная работа", "ну конечно"],
        "phishing": ["оплатите", "получите до", "пошлин*", "вы выбраны", "необычный вход", "обновите данные", "подтвердите аккаунт", "перейдите по ссылке", "ваш пароль", "данные карты",
                     "вы выиграли", "розыгрыш", "криптовалют*", "заблокирован"],
        "ad": ["попробуйте бесплатно", "бесплатно", "без ограничений", "скидк*", "промокод", "акция", "купить", "закажите", "распродаж*", "доставка бесплатно"],
        "job": ["ваканси*", "требуется", "требуются", "приглашаем на работу", "ищем сотрудник*",
                "работа в", "заработок"],
        "negator": ["не", "нет", "никогда", "ни", "ничего", "никто", "без"],
        "intensifier": ["очень", "совсем", "вообще", "абсолютно", "крайне", "слишком", "так", "такой",
                        "просто", "реально"],
    },
    "uk": {
        "problem": [
            "знову", "без попередження", "лежить", "що сталося", "що за фігня", "відхиля*", "заблокув*", 
            "не працю*", "не можу", "не прийш*", "не доставлен*", "не відповіда*", "не повернул*",
            "не відкрива*", "не завантаж*", "досі", "вже тиждень", "вже місяць", "повернен*", "поверніть",
            "поверніть гроші", "списал*", "двічі", "помилк*", "збій*", "зави*", "злама*", "зламан*",
            "брак*", "пошкодж*", "затрим*", "запізн*", "скасов*", "втрачен*", "зник*", "жах*", "кошмар*",
            "огидн*", "ганьб*", "хамств*", "обман*", "шахра*", "набрид*", "скарг*", "претензі*",
            "проблем*", "немає зв'язку", "немає інтернету", "немає світла", "найгірш*", "розчаров*",
            "неможливо", "скільки можна", "чому", "коли вже", "поган*", "де моє", "де моя", "де мій",
            "де замовлення",
        ],
        "request": ["допоможіть", "будь ласка", "підкажіть", "коли", "як мені", "хто може", "дайте відповідь",
                    "розберіться", "прошу", "напишіть"],
        "praise": ["дякую", "дякуємо", "вдячн*", "чудов*", "супер", "клас*", "молодц*", "найкращ*",
                   "рекоменд*", "прекрасн*", "люблю", "подобається", "задоволен*", "швидко", "круто",
                   "добре", "гарн*"],
        "sarcasm": ["дякую за", "ну дякую", "браво", "як завжди", "ага, звісно", "чудова робота"],
        "phishing": ["сплатіть", "отримайте до", "мито", "вас обрано", "незвичайний вхід", "оновіть дані", "підтвердіть акаунт", "перейдіть за посиланням", "ваш пароль", "дані картки",
                     "ви виграли", "розіграш", "криптовалют*", "заблоковано"],
        "ad": ["спробуйте безкоштовно", "безкоштовно", "без обмежень", "знижк*", "промокод", "акція", "купити", "замовляйте", "розпродаж*"],
        "job": ["ваканс*", "потрібні", "потрібен", "запрошуємо на роботу", "шукаємо працівник*"],
        "negator": ["не", "ні", "немає", "нема", "ніколи", "нічого", "ніхто", "без"],
        "intensifier": ["дуже", "зовсім", "взагалі", "абсолютно", "надто", "занадто", "такий", "так",
                        "просто", "реально"],
    },
    "pl": {
        "problem": [
            "znowu", "znów", "znow", "odwoła*", "odrzuc*", "zablokow*", "leży", "lezy", "padł*", "co jest grane", "co się stało", "co sie stalo", "bez uprzedzenia", "żadnych informacji", 
            "nie działa*", "nie dzia*", "przestał* działać", "nie mogę", "nie da się", "nie dotarł*",
            "nie doszł*", "nie przyszł*", "nie otrzymał*", "nie dostałem", "nie dostałam", "nie odpowiada*",
            "brak odpowiedzi", "nadal", "wciąż", "ciągle", "dalej nie", "od tygodnia", "od miesiąca",
            "zwrot*", "zwróćcie", "oddajcie", "pobrali", "pobrano", "podwójn*", "dwa razy", "błąd*",
            "błęd*", "awari*", "zawiesz*", "zepsu*", "uszkodz*", "wadliw*", "opóźni*", "spóźni*",
            "anulow*", "zgubi*", "zaginął", "zaginęła", "brakuje", "skandal*", "porażk*", "żenad*",
            "żenując*", "tragedi*", "tragiczn*", "dramat", "beznadziej*", "masakra", "okropn*", "fataln*",
            "oszu*", "naciąg*", "reklamacj*", "skarg*", "problem*", "kłopot*", "brak zasięgu",
            "brak internetu", "brak prądu", "najgorsz*", "rozczarow*", "wkurz*", "dość", "mam dość", "czemu",
            "dlaczego", "kiedy w końcu", "gdzie jest moja", "gdzie jest moje", "gdzie moja", "gdzie moje",
            "słab*", "kiepsk*", "lipa", "nikt",
        ],
        "request": ["proszę", "pomocy", "pomóżcie", "pomóc", "kiedy", "jak mam", "czy ktoś", "czy możecie",
                    "odpowiedzcie", "napiszcie", "ogarnijcie"],
        "praise": ["dziękuję", "dzięki", "dziekuje", "super", "świetn*", "wspania*", "rewelac*", "polecam",
                   "najlepsz*", "doskonał*", "genialn*", "brawo", "kocham", "uwielbiam", "zadowolon*",
                   "szybko", "ekstra", "fajn*", "spoko", "profesjonaln*"],
        "sarcasm": ["dzięki za nic", "dziękuję za nic", "brawo", "jak zawsze", "jak zwykle", "no super",
                    "no świetnie", "gratulacje", "świetna robota"],
        "phishing": ["zapłać", "opłata celna", "zostałeś wybrany", "zostałaś wybrana", "nietypowe logowanie", "zaktualizuj dane", "zweryfikuj konto", "potwierdź konto", "kliknij w link", "kliknij link", "twoje hasło",
                     "dane karty", "wygrałeś", "wygrałaś", "konkurs", "kryptowalut*", "zablokowane", "dopłata"],
        "ad": ["za darmo", "darmow*", "wypróbuj*", "oferta ograniczona", "bez limitu", "rabat*", "promocj*", "kod rabatowy", "kup teraz", "zamów teraz", "wyprzedaż*", "zniżk*"],
        "job": ["oferta pracy", "oferty pracy", "zatrudni*", "rekrutacj*", "szukamy", "praca w", "dołącz do"],
        "negator": ["nie", "nigdy", "nic", "nikt", "brak", "bez", "ani"],
        "intensifier": ["bardzo", "totalnie", "zupełnie", "kompletnie", "całkowicie", "strasznie", "mega",
                        "naprawdę", "tak", "taki", "zbyt", "za"],
    },
    "de": {
        "problem": [
            "wieder", "ohne ankündigung", "was ist los", "gesperrt", "abgelehnt", 
            "funktioniert nicht", "geht nicht", "klappt nicht", "nicht angekommen", "nicht erhalten",
            "nicht geliefert", "keine antwort", "immer noch", "noch immer", "immer wieder", "schon wieder",
            "seit tagen", "seit wochen", "rückerstattung", "erstattung", "geld zurück", "zurückerstatt*",
            "doppelt abgebucht", "abgebucht", "fehler*", "störung*", "ausfall", "abgestürzt", "stürzt ab",
            "kaputt*", "defekt*", "beschädigt*", "verspät*", "verzöger*", "storniert", "gestrichen",
            "verloren", "fehlt", "schlimm*", "schrecklich*", "furchtbar*", "katastroph*", "unverschämt*",
            "frechheit", "sauerei", "skandal*", "betrug", "betrüger*", "abzocke", "enttäusch*", "ärger*",
            "nervt", "beschwerde*", "reklamation", "problem*", "kein netz", "kein internet", "kein empfang",
            "schlechtest*", "warum", "wieso", "wann endlich", "wo bleibt", "wo ist mein", "wo ist meine",
            "schlecht*", "mies*", "unmöglich", "zum kotzen", "sauer", "nie wieder", "niemand",
        ],
        "request": ["bitte", "hilfe", "helft", "könnt ihr", "können sie", "wann", "wie kann ich", "wer kann",
                    "antwortet", "meldet euch", "kümmert euch"],
        "praise": ["danke", "vielen dank", "super", "toll*", "klasse", "großartig*", "perfekt*", "prima",
                   "hervorragend*", "wunderbar*", "spitze", "empfehl*", "beste", "liebe", "zufrieden",
                   "schnell", "genial", "top"],
        "sarcasm": ["danke für nichts", "vielen dank auch", "na toll", "super gemacht", "wie immer",
                    "wie üblich", "bravo", "glückwunsch", "ganz toll"],
        "phishing": ["jetzt zahlen", "hier abholen", "ausgewählt", "zollgebühr", "ungewöhnliche anmeldung", "rufen sie sofort", "zahlungsdaten aktualisieren", "konto verifizieren", "konto bestätigen", "klicken sie auf den link", "ihr passwort",
                     "kartendaten", "gewonnen", "gewinnspiel", "krypto*", "gesperrt"],
        "ad": ["kostenlos testen", "jetzt kostenlos", "gratis testen", "ohne limit", "rabatt*", "gutschein*", "jetzt kaufen", "jetzt bestellen", "angebot*", "sale", "reduziert"],
        "job": ["wir stellen ein", "stellenangebot*", "jobangebot*", "wir suchen", "jetzt bewerben",
                "bewerbung", "ausbildung"],
        "negator": ["nicht", "kein", "keine", "keinen", "keiner", "nie", "niemals", "nichts", "niemand", "ohne"],
        "intensifier": ["sehr", "total", "echt", "extrem", "absolut", "völlig", "so", "zu", "mega", "richtig"],
    },
    "es": {
        "problem": [
            "otra vez", "de nuevo", "sin avisar", "qué pasa", "bloquead*", "rechaz*", 
            "no funciona*", "no sirve", "no puedo", "no me llega", "no ha llegado", "no llegó", "no llego",
            "no he recibido", "no recibí", "no responden", "no contestan", "sin respuesta", "todavía",
            "todavia", "aún no", "aun no", "sigo esperando", "seguimos esperando", "hace días",
            "hace una semana", "reembolso*", "devolución", "devolucion", "devuelvan", "cobraron",
            "cobro doble", "cobrado", "error*", "fallo*", "falla*", "caído", "caido", "se cae", "roto",
            "rota", "estropead*", "dañad*", "defectuos*", "retras*", "cancelad*", "perdid*", "falta",
            "pésim*", "pesim*", "horrible*", "terrible*", "fatal", "vergüenza", "verguenza", "estafa*",
            "estafador*", "timo", "engaño", "decepcion*", "harto", "harta", "hartos", "queja*",
            "reclamación", "reclamacion", "reclamo", "problema*", "sin señal", "sin internet", "sin luz",
            "peor", "por qué", "porque no", "cuándo", "dónde está mi", "donde esta mi", "malo", "mala",
            "mal servicio", "nadie", "inaceptable", "una mierda", "lamentable",
        ],
        "request": ["por favor", "porfa", "ayuda", "ayúdenme", "pueden", "podrían", "cuando", "cómo puedo",
                    "como puedo", "quién puede", "respondan", "contesten", "solucionen"],
        "praise": ["gracias", "excelente*", "genial", "perfect*", "increíble", "increible", "maravillos*",
                   "estupend*", "encanta", "me encantó", "recomiendo", "el mejor", "la mejor", "contento",
                   "contenta", "rápido", "rapido", "buenísim*", "bien hecho", "fantástic*"],
        "sarcasm": ["gracias por nada", "muchas gracias eh", "qué bien", "que bien", "como siempre",
                    "bravo", "enhorabuena", "genial, ", "felicidades"],
        "phishing": ["paga aquí", "paga aqui", "reclama aquí", "seleccionado", "gastos de aduana", "actualiza tus datos", "inicio de sesión inusual", "verifica tu cuenta", "confirma tu cuenta", "haz clic", "haga clic", "tu contraseña",
                     "datos de tu tarjeta", "has ganado", "ganaste", "sorteo", "cripto*", "bloqueada"],
        "ad": ["prueba gratis", "pruébalo gratis", "gratis", "sin límite", "descuento*", "oferta*", "código promocional", "compra ya", "compra ahora", "rebajas",
               "envío gratis"],
        "job": ["estamos contratando", "oferta de empleo", "oferta de trabajo", "vacante*", "buscamos",
                "únete a nuestro equipo", "empleo"],
        "negator": ["no", "nunca", "jamás", "nada", "nadie", "ni", "sin", "tampoco"],
        "intensifier": ["muy", "tan", "demasiado", "super", "súper", "totalmente", "completamente",
                        "realmente", "bastante", "re"],
    },
    "fr": {
        "problem": [
            "de nouveau", "sans prévenir", "c quoi le pb", "bloqué*", "refus*", 
            "ne fonctionne pas", "fonctionne pas", "ne marche pas", "marche pas", "marche plus", "ne marche plus",
            "impossible", "je n'arrive pas", "j'arrive pas", "pas reçu", "pas recu", "jamais reçu",
            "pas arrivé", "pas livré", "toujours pas", "toujours rien", "encore", "depuis des jours",
            "depuis une semaine", "remboursement*", "rembourse*", "prélevé", "débité deux fois", "erreur*",
            "bug*", "panne*", "en panne", "plantage", "planté", "cassé*", "abîmé*", "endommagé*",
            "défectueu*", "retard*", "annulé*", "perdu*", "manquant", "nul", "nulle", "horrible*",
            "lamentable*", "honte", "honteux", "scandale*", "scandaleux", "arnaque*", "escroc*", "déçu*",
            "déception", "marre", "ras le bol", "agaçant", "réclamation*", "plainte*", "problème*",
            "pas de réseau", "pas d'internet", "plus de réseau", "pire", "pourquoi", "quand est-ce",
            "où est ma", "où est mon", "mauvais*", "inadmissible", "inacceptable", "personne ne",
            "aucune réponse", "sans réponse", "catastroph*", "galère",
        ],
        "request": ["s'il vous plaît", "svp", "stp", "aide", "aidez-moi", "pouvez-vous", "pourriez-vous",
                    "quand", "comment faire", "qui peut", "répondez", "merci de"],
        "praise": ["merci", "génial*", "super", "excellent*", "parfait*", "formidable", "incroyable",
                   "magnifique", "top", "bravo", "je recommande", "meilleur*", "adore", "j'adore", "content",
                   "contente", "rapide", "au top", "impeccable"],
        "sarcasm": ["merci pour rien", "merci du cadeau", "bravo", "comme d'habitude", "comme toujours",
                    "génial, ", "super, ", "félicitations", "chapeau"],
        "phishing": ["payez ici", "réclamez", "sélectionné", "frais de douane", "mettez à jour vos informations", "connexion inhabituelle", "vérifiez votre compte", "confirmez votre compte", "cliquez sur le lien", "cliquez ici",
                     "votre mot de passe", "coordonnées bancaires", "vous avez gagné", "concours", "crypto*",
                     "compte bloqué"],
        "ad": ["essai gratuit", "essayez gratuitement", "gratuit", "sans limite", "réduction*", "promo*", "code promo", "achetez", "commandez", "soldes", "livraison gratuite",
               "offre"],
        "job": ["nous recrutons", "on recrute", "offre d'emploi", "offres d'emploi", "poste à pourvoir",
                "rejoignez", "recrutement", "cdi", "stage"],
        "negator": ["ne", "pas", "n'", "jamais", "rien", "personne", "aucun", "aucune", "sans", "ni", "plus"],
        "intensifier": ["très", "trop", "tellement", "vraiment", "super", "complètement", "totalement",
                        "absolument", "si", "hyper"],
    },
    "pt": {
        "problem": [
            "de novo", "outra vez", "sem aviso", "o que aconteceu", "bloquead*", "recus*", 
            "não funciona*", "nao funciona*", "não consigo", "nao consigo", "não chegou", "nao chegou",
            "não recebi", "nao recebi", "não respondem", "nao respondem", "sem resposta", "ainda não",
            "ainda nao", "até agora", "ate agora", "continuo esperando", "há dias", "faz uma semana",
            "reembolso*", "estorno", "devolução", "devolucao", "devolvam", "cobrança", "cobrança duplicada",
            "cobraram", "erro*", "falha*", "caiu", "fora do ar", "quebrad*", "estragad*", "danificad*",
            "defeito*", "atras*", "cancelad*", "perdid*", "faltando", "péssim*", "pessim*", "horrível",
            "horrivel", "terrível", "terrivel", "vergonha", "absurdo", "golpe", "fraude", "engan*",
            "decepcion*", "cansad*", "reclama*", "queixa*", "problema*", "sem sinal", "sem internet",
            "sem luz", "pior", "por que", "porque não", "cadê", "cade", "onde está meu", "onde esta meu",
            "ruim", "lixo", "ninguém", "ninguem", "inaceitável", "descaso", "palhaçada", "demora*",
        ],
        "request": ["por favor", "pfv", "ajuda", "ajudem", "podem", "poderiam", "quando", "como faço",
                    "quem pode", "respondam", "resolvam"],
        "praise": ["obrigad*", "valeu", "excelente*", "ótim*", "otim*", "perfeit*", "incrível", "incrivel",
                   "maravilhos*", "adoro", "amei", "recomendo", "o melhor", "a melhor", "satisfeit*",
                   "rápido", "rapido", "top", "parabéns", "parabens"],
        "sarcasm": ["obrigado por nada", "obrigada por nada", "parabéns", "que ótimo", "como sempre",
                    "muito bom, ", "ótimo, ", "show de bola"],
        "phishing": ["pague aqui", "resgate aqui", "selecionado", "taxa alfandegária", "taxa de alfândega", "atualize seus dados", "acesso incomum", "verifique sua conta", "confirme sua conta", "clique no link", "clique aqui", "sua senha",
                     "dados do cartão", "você ganhou", "voce ganhou", "sorteio", "cripto*", "bloqueada"],
        "ad": ["teste grátis", "experimente grátis", "grátis", "sem limite", "desconto*", "promoção", "promocao", "cupom", "compre já", "compre agora", "frete grátis",
               "oferta*"],
        "job": ["estamos contratando", "vaga*", "oportunidade de emprego", "trabalhe conosco", "contrata-se",
                "emprego"],
        "negator": ["não", "nao", "nunca", "jamais", "nada", "ninguém", "ninguem", "nem", "sem"],
        "intensifier": ["muito", "tão", "tao", "demais", "super", "totalmente", "completamente", "bem",
                        "realmente", "bastante"],
    },
    "it": {
        "problem": [
            "non funziona*", "non va", "non riesco", "non è arrivato", "non è arrivata", "non ho ricevuto",
            "non rispondono", "nessuna risposta", "ancora", "ancora niente", "da giorni", "da una settimana",
            "rimborso*", "rimborsate", "addebit*", "errore*", "guasto", "in tilt", "bloccat*", "rott*",
            "danneggiat*", "difettos*", "ritard*", "cancellat*", "annullat*", "pers*", "manca", "pessim*",
            "orribile", "terribile", "vergogna*", "schifo", "truffa*", "delus*", "stufo", "stufa",
            "reclamo*", "problema*", "problemi", "senza rete", "niente internet", "peggio*", "perché",
            "quando", "dov'è il mio", "male", "nessuno", "inaccettabile", "assurdo",
        ],
        "request": ["per favore", "aiuto", "aiutatemi", "potete", "potreste", "come posso", "chi può",
                    "rispondete", "risolvete"],
        "praise": ["grazie", "ottim*", "eccellent*", "perfett*", "fantastic*", "meraviglios*", "adoro",
                   "consiglio", "il migliore", "la migliore", "soddisfatt*", "veloce", "bravi", "complimenti",
                   "top"],
        "sarcasm": ["grazie per niente", "grazie tante", "complimenti", "come sempre", "bravi, ", "ottimo, "],
        "phishing": ["verifica il tuo account", "clicca sul link", "clicca qui", "la tua password",
                     "dati della carta", "hai vinto", "concorso", "cripto*", "bloccato"],
        "ad": ["sconto*", "offerta*", "codice sconto", "compra ora", "saldi", "spedizione gratuita"],
        "job": ["stiamo assumendo", "offerta di lavoro", "posizione aperta", "cerchiamo", "candidati"],
        "negator": ["non", "mai", "niente", "nulla", "nessuno", "né", "senza"],
        "intensifier": ["molto", "troppo", "così", "davvero", "super", "totalmente", "completamente",
                        "assolutamente", "proprio"],
    },
    "zh": {
        "problem": [
            "又", "没有任何通知", "拒绝", 
            "崩了", "挂了", "炸了", "进不去", "收不到", "找不到", "没用", "冻结", "扣了", "两次", "没反应", "取消不了",
            "用不了", "失效", "过期", "延误", "丢件", "删了", "不存在", "卡住", "卡成", "断一次", "洒了", "没返",
            "退款", "退钱", "退货", "还没", "还是没", "一直没", "至今", "到现在", "不能用", "用不了", "不能", "无法",
            "打不开", "登不上", "登录不了", "没收到", "没到", "未收到", "没有收到", "不工作", "坏了", "故障", "错误",
            "报错", "崩溃", "闪退", "卡顿", "卡死", "死机", "断网", "没信号", "没网", "停电", "延迟", "迟到", "晚到",
            "太慢", "慢死", "取消", "丢了", "丢失", "少了", "漏送", "送错", "发错", "破损", "损坏", "质量差",
            "太差", "很差", "差评", "垃圾", "恶心", "难吃", "糟糕", "失望", "投诉", "举报", "骗子", "骗人", "欺骗",
            "坑人", "被坑", "扣钱", "多扣", "扣费", "乱收费", "重复扣款", "没人管", "没人理", "不理", "不回复",
            "客服", "问题", "为什么", "怎么回事", "什么时候", "等了", "凉了", "冷了", "再也不", "最差", "不好",
            "太贵", "变质", "有虫", "头发", "难用",
        ],
        "request": ["请", "麻烦", "帮忙", "帮我", "能不能", "可以吗", "怎么办", "尽快", "处理一下", "给个说法",
                    "回复"],
        "praise": ["谢谢", "感谢", "好吃", "很好", "不错", "满意", "好评", "推荐", "喜欢", "很快", "速度快",
                   "超赞", "赞", "完美", "棒", "优秀", "给力", "贴心", "方便", "干净"],
        "sarcasm": ["绝了", "我真的会谢", "佩服", "真是太感谢", "懂惊喜", "真棒", "绝绝子", "满分", "谢谢你们", "真是谢谢", "呵呵", "真棒啊", "厉害了", "服了", "好一个"],
        "phishing": ["补填信息", "更新支付信息", "请点击", "领取", "海关", "关税", "异常登录", "验证账户", "点击链接", "点击此处", "你的密码", "银行卡信息", "中奖", "恭喜您", "加微信",
                     "加qq", "比特币", "账户冻结", "账户异常"],
        "ad": ["免费试用", "免费", "不限量", "优惠", "折扣", "促销", "限时", "抢购", "领券", "下单立减", "包邮", "秒杀"],
        "job": ["招聘", "诚聘", "招人", "职位", "岗位", "兼职", "加入我们"],
        "negator": ["不", "没", "没有", "别", "未", "无", "非"],
        "intensifier": ["很", "非常", "太", "特别", "超", "极", "十分", "真", "好", "最"],
    },
    "ja": {
        "problem": ["返金", "届かない", "届いていない", "使えない", "動かない", "エラー", "不具合", "故障", "壊れ",
                    "遅延", "キャンセル", "最悪", "ひどい", "酷い", "詐欺", "問題", "繋がらない", "ログインできない"],
        "request": ["お願い", "助けて", "教えて", "対応して"],
        "praise": ["ありがとう", "最高", "素晴らしい", "好き", "嬉しい", "便利", "おすすめ"],
        "sarcasm": ["さすが"],
        "phishing": ["アカウント確認", "リンクをクリック", "当選"],
        "ad": ["割引", "セール", "クーポン"],
        "job": ["求人", "募集", "採用"],
        "negator": ["ない", "ません"],
        "intensifier": ["とても", "本当に", "すごく"],
    },
}

# words that deny a problem right before it: "no problems", "никаких проблем", "bez problemu"
NONE_WORDS = frozenset("""no zero without never nothing any никаких никакой ни без ноль нет жодних жодної жодного
    без нуль ні żadnych żadnego żadnej bez zero keine keinen kein ohne null ningún ninguna ningun sin cero aucun
    aucune sans zéro nenhum nenhuma sem zero nessun nessuna senza""".split())

CATEGORIES = ("problem", "request", "praise", "sarcasm", "phishing", "ad", "job")

# order/ticket/case numbers in any language
ORDER_RE = re.compile(
    r"(?:order|ticket|case|ref(?:erence)?|booking|tracking|claim|complaint|invoice|account|"
    r"заказ\w*|номер|обращени\w*|заявк\w*|zamówieni\w*|zamowieni\w*|numer|zgłoszeni\w*|bestellung\w*|"
    r"auftrag\w*|pedido|orden|número|numero|commande|dossier|ordine|замовлення|订单|单号|工单)"
    r"\s*(?:no\.?|nr\.?|number|num|#|№|:|-)?\s*#?\s*[A-Z0-9-]*\d{3,}"
    r"|#\s?\d{5,}|№\s?\d{3,}|\b[A-Z]{2,4}-?\d{5,}\b",
    re.I | re.U,
)
_DIGIT_RUN_RE = re.compile(r"\d{3,}")
# links that phishing uses: hyphenated lookalike domains, URL shorteners, login/payment paths
SHORTENERS = ("tinyurl.com", "bit.ly", "t.ly", "cutt.ly", "is.gd", "goo.gl", "rb.gy")
LINK_RE = re.compile(r"(?<![\w@.-])(?:https?://)?(?:www\.)?((?:[a-z0-9]+-)+[a-z0-9]+\.[a-z]{2,6}|"
                     r"(?:" + "|".join(map(re.escape, SHORTENERS)) + r")(?=/))(?:/\S*)?", re.I)
PHISHY_LINK_WORDS = ("login", "secure", "verify", "verif", "pay", "billing", "bonus", "gift", "prize", "gewinn",
                     "cadeau", "premio", "nagroda", "kompens", "indemn", "zustell", "livraison", "dostav",
                     "entrega", "reembolso", "refund")


def order_number(text: str) -> str | None:
    """The first order/ticket/account number in a post (``ORDER_RE``), or None.

    ``ORDER_RE`` is slow to search over a whole post, so it only runs on a short window around each
    run of 3+ digits (every match of it contains one)."""
    for m in _DIGIT_RUN_RE.finditer(text):
        end = m.end()
        while end < len(text) and (text[end].isalnum() or text[end] == "-"):
            end += 1
        hit = ORDER_RE.search(text, max(0, m.start() - 48), end)
        if hit is not None:
            return hit.group(0)
    return None


NEG_EMOJI_RE = re.compile("[\U0001F620-\U0001F62B\U0001F621\U0001F92C\U0001F92F\U0001F44E\U0001F612\U0001F615"
                          "\U0001F61E\U0001F61F\U0001F622\U0001F62D\U0001F630\U0001F629\U0001F624\U0001F494"
                          "\U0001F644\U0001F611\U0001F610\U0001F926\U0001F937\U0001F620\u2639\u274C\U0001F6AB\U0001F480"
                          "\U0001F92E\U0001F922]")
POS_EMOJI_RE = re.compile("[\U0001F600-\U0001F60D\U0001F60A\U0001F970\U0001F60E\U0001F44D\U0001F44F\U0001F64F"
                          "\u2764\U0001F495\U0001F496\U0001F497\U0001F499\U0001F49A\U0001F49B\U0001F49C\U0001F389"
                          "\U0001F525\U0001F4AF\u2728\U0001F929\U0001F973\U0001F618\u263A\U0001F642]")
ROLL_EYES_RE = re.compile("[\U0001F644\U0001F612\U0001F643\U0001F921]")  # sarcasm emoji
# any of the emoji above, to find them in one pass
ANY_EMOJI_RE = re.compile("[" + "".join(p.pattern[1:-1] for p in (NEG_EMOJI_RE, POS_EMOJI_RE, ROLL_EYES_RE)) + "]")


_BMP_EMOJI_RE = re.compile("[" + "".join(sorted({c for c in ANY_EMOJI_RE.pattern[1:-1] if c != "-" and c < "\U00010000"}))
                            + "]")  # the few emoji above below U+10000 (no ranges among them)
_FIRST_EMOJI = min(ANY_EMOJI_RE.pattern[1:-1].replace("-", ""))


def emoji_counts(text: str) -> tuple[int, int, bool]:
    """(negative emoji, positive emoji, any sarcasm emoji) in a post."""
    top = max(text, default="")
    if top < _FIRST_EMOJI or (top < "\U0001F300" and _BMP_EMOJI_RE.search(text) is None):
        return 0, 0, False  # (all the astral emoji above are at U+1F300 or later)
    found = ANY_EMOJI_RE.findall(text)
    if not found:
        return 0, 0, False
    neg = sum(1 for e in found if NEG_EMOJI_RE.match(e))
    pos = sum(1 for e in found if POS_EMOJI_RE.match(e))
    return neg, pos, any(ROLL_EYES_RE.match(e) for e in found)


def _term_pattern(term: str, cjk: bool) -> str:
    prefix = term.endswith("*")
    term = term.rstrip("*")
    body = re.escape(term).replace(r"\ ", r"\s+")
    if cjk:
        return body
    start = r"(?<![\w])" if term[:1].isalnum() else ""
    if prefix:
        return start + body + r"\w*"
    end = r"(?![\w])" if term[-1:].isalnum() else ""
    return start + body + end


@lru_cache(maxsize=None)
def pattern(lang: str, category: str) -> re.Pattern[str] | None:
    terms = CUES.get(lang, {}).get(category)
    if not terms:
        return None
    cjk = lang in CJK
    alts = sorted({_term_pattern(t, cjk) for t in terms}, key=len, reverse=True)
    return re.compile("|".join(alts), re.I | re.U)


_TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[^\w\s]", re.U)


_CACHE_MAX = 50_000  # distinct tokens remembered per index (cleared when full; bounds memory)


class _Index:
    """Token-level matcher for a tuple of languages: exact words, prefixes (``stem*``) and phrases.

    One pass over the post's tokens: what a token starts or matches is looked up once per distinct
    token and remembered (tokens follow Zipf's law, so nearly every lookup is a dict hit); the few
    terms that are not plain tokens (CJK, ``% off``, ``/s``) are substring tests.
    """

    def __init__(self, langs: tuple[str, ...]):
        self.cjk = any(lang in CJK for lang in langs)
        self.substr: list[tuple[str, str]] = []   # (category, term) matched as substrings
        self.first: dict[str, list[tuple[str, str, tuple[str, ...], bool]]] = {}
        self.prefix_first: dict[str, list[tuple[str, str, tuple[str, ...], bool]]] = {}
        self.prefix_lens: set[int] = set()
        for lang in langs:
            cjk = lang in CJK
            for cat in CATEGORIES:
                for term in CUES.get(lang, {}).get(cat, ()):
                    is_prefix = term.endswith("*")
                    bare = term.rstrip("*").lower()
                    toks = tuple(_TOKEN_RE.findall(bare))
                    if cjk or not toks or "".join(toks) != re.sub(r"\s+", "", bare):
                        self.substr.append((cat, bare))
                        continue
                    entry = (cat, bare, toks[1:], is_prefix)
                    if is_prefix and len(toks) == 1:
                        self.prefix_first.setdefault(toks[0], []).append(entry)
                        self.prefix_lens.add(len(toks[0]))
                    else:
                        self.first.setdefault(toks[0], []).append(entry)
        self.prefix_lens_sorted = sorted(self.prefix_lens, reverse=True)
        self._substr_by_first: dict[str, list[tuple[str, str]]] = {}
        for cat, term in self.substr:
            if term:
                self._substr_by_first.setdefault(term[0], []).append((cat, term))
        self._cache: dict[str, tuple | None] = {}
        self._hits: set[str] = set()  # cached tokens that start or match a term
        self._compiled = None

    def compiled(self) -> dict:
        """The index as arrays for `kernels.cue_matches` (built on first use)."""
        if self._compiled is None:
            from earful.sentiment.batchtokens import HashTable, hashes_of

            entries = [e for f in self.first.values() for e in f]
            groups, off = {}, 0
            for h, es in zip(hashes_of(list(self.first)).tolist(), self.first.values()):
                groups[h] = (off, len(es))
                off += len(es)
            width = max([len(e[2]) for e in entries] + [1])
            rest = np.zeros((len(entries), width), np.uint64)
            for i, (_cat, _term, r, _p) in enumerate(entries):
                rest[i, :len(r)] = hashes_of(list(r))
            stems, p_cats, off = {}, [], 0
            for h, es in zip(hashes_of(list(self.prefix_first)).tolist(), self.prefix_first.values()):
                stems[h] = (off, len(es))
                p_cats += [CATEGORIES.index(e[0]) for e in es]
                off += len(es)
            first, prefixes = HashTable(groups), HashTable(stems)
            table = np.zeros(0x10000, np.bool_)
            for _cat, term in self.substr:
                if term:
                    table[min(ord(term[0]), 0xFFFF)] = True  # (an astral first character: every post is checked)
            self._compiled = {
                "arrays": (first.keys, first.off, first.cnt,
                           np.asarray([CATEGORIES.index(e[0]) for e in entries], np.int64),
                           np.asarray([len(e[2]) for e in entries], np.int64),
                           np.asarray([e[3] for e in entries], np.bool_), rest,
                           np.asarray([len(e[2][-1]) if e[2] else 0 for e in entries], np.int64),
                           prefixes.keys, prefixes.off, prefixes.cnt, np.asarray(p_cats, np.int64),
                           np.asarray(self.prefix_lens_sorted, np.int64)),
                "entries": [(e[0], e[1], len(e[2])) for e in entries],
                "substr_table": table,
                "astral_substr": any(ord(t[0]) > 0xFFFF for _c, t in self.substr if t),
            }
        return self._compiled

    def scan_batch(self, batch, docs: list[int]) -> dict[int, dict[str, list[str]]]:
        """`scan` of the posts ``docs`` of a `batchtokens.Batch` of lower-case posts: the same matches in the
        same order, found by compiled code over token hashes (`kernels.cue_matches`); only matched terms
        become Python strings."""
        from earful.sentiment import kernels

        comp = self.compiled()
        out: dict[int, dict[str, list[str]]] = {d: {} for d in docs}
        texts = batch.texts
        if self.substr:
            by_first = self._substr_by_first
            if comp["astral_substr"]:
                flagged = docs
            else:
                on = kernels.has_char(batch.cp, batch.start, batch.size, comp["substr_table"])
                flagged = [d for d in docs if on[d]]
            for d in flagged:
                low, found = texts[d], out[d]
                for ch in sorted(by_first.keys() & set(low)):
                    for cat, term in by_first[ch]:
                        if term in low:
                            found.setdefault(cat, []).append(term)
        tok = batch.tokens(kernels.CUE)
        rows = kernels.cue_matches(batch.cp, tok.start, tok.end, tok.hash, tok.first, np.asarray(docs, np.int64),
                                   *comp["arrays"])
        if not len(rows):
            return out
        joined, starts, ends = batch.joined, tok.start, tok.end
        entries = comp["entries"]
        for d, kind, i, t in rows.tolist():
            if kind == 0:
                cat, term, _k = entries[i]
            elif kind == 1:
                cat, _term, k = entries[i]
                term = " ".join([joined[starts[x]:ends[x]] for x in range(t, t + k + 1)])
            else:
                cat, term = CATEGORIES[i], joined[starts[t]:ends[t]]
            found = out[d]
            if cat in found:
                found[cat].append(term)
            else:
                found[cat] = [term]
        return out

    def _lookup(self, tok: str):
        """(entries starting with this token, categories of the prefix it matches) or None."""
        entries = self.first.get(tok)
        prefix_cats: tuple[str, ...] = ()
        for L in self.prefix_lens_sorted:
            if len(tok) >= L:
                hits = self.prefix_first.get(tok[:L])
                if hits:
                    prefix_cats = tuple(cat for cat, _t, _r, _p in hits)
                    break
        info = (entries or (), prefix_cats) if (entries or prefix_cats) else None
        self._cache[tok] = info
        if info is not None:
            self._hits.add(tok)
        return info

    def scan(self, low: str, tokens: list[str]) -> dict[str, list[str]]:
        """category -> matched terms (only categories with a match appear; duplicates possible)."""
        out: dict[str, list[str]] = {}
        if self.substr:
            by_first = self._substr_by_first
            for ch in sorted(by_first.keys() & set(low)):
                for cat, term in by_first[ch]:
                    if term in low:
                        out.setdefault(cat, []).append(term)
        if not tokens:
            return out
        cache = self._cache
        if len(cache) >= _CACHE_MAX:
            cache.clear()
            self._hits.clear()
        distinct = set(tokens)
        for tok in distinct.difference(cache):  # a set minus a dict: one dict lookup per token
            self._lookup(tok)
        found = self._hits.intersection(distinct)
        if not found:
            return out
        n = len(tokens)
        for i in [i for i, tok in enumerate(tokens) if tok in found]:
            tok = tokens[i]
            info = cache.get(tok) or self._lookup(tok)  # (another thread may have just cleared the cache)
            if info is None:
                continue
            entries, prefix_cats = info
            for cat, term, rest, is_prefix in entries:
                k = len(rest)
                if not k:
                    out.setdefault(cat, []).append(term)
                elif i + k < n:
                    last = tokens[i + k]
                    if (last == rest[-1] or (is_prefix and last.startswith(rest[-1]))) and (
                            k == 1 or tokens[i + 1:i + k] == list(rest[:-1])):
                        out.setdefault(cat, []).append(" ".join(tokens[i:i + k + 1]) if is_prefix else term)
            for cat in prefix_cats:
                out.setdefault(cat, []).append(tok)
        return out


@lru_cache(maxsize=None)
def index(langs: tuple[str, ...]) -> _Index:
    return _Index(langs)


def tokens(low: str) -> list[str]:
    return _TOKEN_RE.findall(low)


@lru_cache(maxsize=None)
def _index_for(langs: tuple[str, ...]) -> _Index | None:
    known = tuple(lang for lang in langs if lang in CUES)
    return index(known) if known else None


def scan(langs: list[str] | tuple[str, ...], low: str, toks: list[str] | None = None) -> dict[str, list[str]]:
    """Cue matches per category (every category present, each term once) for these languages in
    lower-case text, in order of language."""
    ix = _index_for(tuple(langs))
    found = ix.scan(low, _TOKEN_RE.findall(low) if toks is None else toks) if ix is not None else {}
    return {c: (list(dict.fromkeys(found[c])) if len(found[c]) > 1 else found[c]) if c in found else []
            for c in CATEGORIES}


def find(lang: str, category: str, text: str) -> list[str]:
    """Cue matches of one category in (lower-case) text."""
    return scan([lang], text.lower())[category]


@lru_cache(maxsize=None)
def word_set(lang: str, category: str) -> frozenset[str]:
    return frozenset(t.rstrip("*") for t in CUES.get(lang, {}).get(category, ()))
