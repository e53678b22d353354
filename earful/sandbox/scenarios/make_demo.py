"""Writes demo.json: the bundled demo scenario (one simulated day of posts about "Parcelly").

    python earful/sandbox/scenarios/make_demo.py [--out PATH] [--summary]

Deterministic: a fixed seed, no hash-ordered iteration, so two runs write identical bytes.
The texts are hand-written in the tables below (customer posts per language, with reddit / HN threads
nested; the brand's stock answers; the customers' follow-ups). The script only places them in time, picks
authors, decides which complaints the brand answers (about 60%) and when, adds the follow-ups, and numbers
everything in time order. See README.md next to this file.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SEED = 10  # picked among a few for a smooth day curve
START = "2026-11-23T00:00:00Z"
DURATION = 1440
STORM = (780.0, 840.0)
OUTAGE_END = 845.0  # 14:05 UTC: the app and tracking work again

BRAND = {
    "name": "Parcelly",
    "keywords": ["parcelly", "парселли", "парселлі"],
    "exclusions": ["parcelly careers", "parcelly jobs"],
    "accounts": {"x": ["ParcellyHelp"], "reddit": ["ParcellySupport"], "bluesky": ["parcelly.bsky.social"],
                 "mastodon": ["parcelly@mastodon.social"], "hackernews": ["parcelly_team"]},
    "languages": ["en", "ru", "pl", "zh", "de", "es", "fr", "uk", "pt"],
    "competitors": ["ShipFast", "BoxNow"],
    "case_intents": ["complaint"],
    "sla": {"first_response_minutes": 60},
}
BRAND_AUTHOR = {k: v[0] for k, v in BRAND["accounts"].items()}

X, R, B, M, H, F = "x", "reddit", "bluesky", "mastodon", "hackernews", "rss"
LABELS = {"C": "complaint", "Q": "question", "P": "praise", "S": "spam", "K": "competitor", "O": "other"}


@dataclass
class Item:
    label: str
    platform: str
    text: str
    title: str | None = None
    community: str | None = None
    author: str | None = None
    storm: bool = False
    answer: str | None = None      # the brand's reply, written out (forces an answer)
    noreply: bool = False          # never answered
    minute: float | None = None    # fixed time instead of a sampled one
    replies: list[Item] = field(default_factory=list)
    lang: str = ""


def p(code: str, platform: str, text: str, *replies: Item, **kw) -> Item:
    return Item(LABELS[code], platform, text, replies=list(replies), **kw)


def storm(platform: str, text: str, *replies: Item, **kw) -> Item:
    return Item("complaint", platform, text, replies=list(replies), storm=True, **kw)


LONG_RANT = (
    "Buckle up, this is long. I need to put it somewhere and my partner has stopped listening.\n\n"
    "On October 31st I ordered a birthday present for my dad: a refurbished record player, the exact "
    "model he had in the 80s and sold when I was born. I found it after months of looking. The seller "
    "shipped it with Parcelly the same day, tracking number PX-39922, estimated delivery November 3rd. "
    "Dad's birthday was November 8th, so I thought: plenty of time.\n\n"
    "November 3rd: 'Out for delivery'. I work from home, I sat next to the door all day like a golden "
    "retriever. At 19:42 the status changed to 'Delivery attempted - customer not available'. Nobody "
    "rang. My doorbell camera shows nobody came up the path. Not even a van on the street.\n\n"
    "November 4th: rescheduled for 'tomorrow'. November 5th: 'In transit to local depot'. It was "
    "already AT the local depot two days earlier, but fine. November 6th: 'Address issue - awaiting "
    "customer instructions'. I have lived at this address for 7 years. Parcelly has delivered here at "
    "least 40 times. I opened the app to give 'instructions' and the button just reloads the page.\n\n"
    "So I tried support. The chat bot asked me to describe my issue, I wrote 'parcel stuck with address "
    "issue', it sent me an article called 'How to track your parcel'. I typed 'agent'. It sent the same "
    "article. I typed 'human please'. It closed the conversation and asked me to rate it. I gave it one "
    "star, which is one more than it deserved.\n\n"
    "Email: auto-reply saying they'd get back within 48 hours. They got back after 96 hours to say the "
    "case was 'resolved' because 'the parcel is in transit'. It was not in transit. It was sitting in a "
    "depot 6 km from my house, which I know because I DROVE THERE on November 9th (after missing the "
    "birthday) and a very kind guy at the counter looked it up and said it was 'in the cage' for "
    "address checks and he couldn't release it without a ticket from central support.\n\n"
    "I also tried the 'report a problem' form on the website. It has a dropdown with five options, none of "
    "which is 'my parcel is in a cage', so I picked 'other'. Submitting it gives a blank page with the words "
    "'undefined undefined'. I submitted it four times in case undefined was a good sign.\n\n"
    "The phone line plays a message telling you to use the app. Then it hangs up. I timed it: 41 seconds "
    "from dialing to being hung up on by a recording.\n\n"
    "Today is day 23. Status: 'In transit'. The seller has opened a claim on their side, Parcelly told "
    "them the parcel was 'delivered to a safe place'. Which safe place?? The cage??\n\n"
    "I gave dad a printed photo of the record player in a card. He laughed and said it's the most "
    "1980s present possible, a picture of a thing you'll get 'eventually'. He was nice about it. I am "
    "not nice about it.\n\n"
    "I'm not even asking for compensation at this point. I just want someone at Parcelly to open the "
    "cage, look at the box, and put it in a van. That's it. That's the whole job.\n\n"
    "Edit: people asking which depot - the one on the industrial estate by the ring road. Edit 2: yes I "
    "have tried tweeting at them. Edit 3: thanks for the awards, I'd rather have the record player. Edit 4: to "
    "everyone asking whether I'll switch to another courier: honestly I don't care which company it is. I care "
    "that somebody, anybody, picks up a phone and looks in the cage."
)

# ---------------------------------------------------------------------------------------------------
# Customer posts, by language. Threads (reddit / hn comments) are nested as replies of their root.
# ---------------------------------------------------------------------------------------------------

EN = [
    # --- x ---------------------------------------------------------------------------------------
    p("C", X, "great, another lost parcel 🙃 thanks @ParcellyHelp"),
    p("C", X, "still waiting for my refund, order #PX-48213. it's been 3 weeks @ParcellyHelp",
      author="mike_delgado87"),
    p("C", X, "📦❌😡 @ParcellyHelp"),
    p("C", X, "@ParcellyHelp driver marked my package as delivered and it's nowhere. checked with the neighbours, "
              "checked the bins. order PX-50917"),
    p("C", X, "Parcelly really said 'we tried to deliver' while I was sitting 2 metres from the door all day. "
              "no knock, no ring, nothing"),
    p("C", X, "@ParcellyHelp hi, the locker on Elm St shows my parcel but the code doesn't open it. been standing "
              "here 20 min"),
    p("C", M, "Ordered on the 14th. 'Arriving tomorrow' every single day since. Parcelly, are you ok? #Parcelly"),
    p("C", X, "@ParcellyHelp why does your chat bot close the conversation every time I type 'agent'"),
    p("C", M, "my package has been 'in transit' at the same Parcelly depot for 9 days. at this point it lives "
              "there #Parcelly #mildlyinfuriating"),
    p("C", X, "@ParcellyHelp box arrived completely crushed, the lamp inside is in pieces. how do I file a claim? "
              "the form just reloads"),
    p("Q", X, "@ParcellyHelp do you deliver on Sundays?",
      answer="Hi! Sunday delivery is available in most big cities, you can pick it at checkout or in the app "
             "under Delivery options 🙂"),
    p("Q", X, "@ParcellyHelp how do I change the delivery address once the parcel has shipped? the app only "
              "lets me pick a date"),
    p("P", X, "insanely fast delivery from Parcelly today, ordered at 9am and it was here by 2 😳"),
    p("P", X, "ok credit where it's due, @ParcellyHelp sorted my missing parcel in 10 min. rare W"),
    p("P", X, "Parcelly courier waited for me while I ran down 6 flights of stairs. that man deserves a raise"),
    p("S", X, "🎁 Parcelly giveaway! 500 lucky customers win a free iPhone 17. Claim your prize at "
              "bit.ly/parcelly-win26 before midnight!! #giveaway", author="ParcellyRewards"),
    p("S", X, "Your Parcelly package could not be delivered due to an incomplete address. Update your details and "
              "pay the €1.49 fee: parcelly-redelivery.top/track", author="parcellyinfo_uk"),
    p("S", X, "🚨 Parcelly refund department: we owe you $87.50 from a failed delivery. Verify your card to receive "
              "it: parcelly-refunds.help", author="ParceIlyRefunds"),
    p("O", X, "We're hiring couriers in Austin 🚚 flexible hours, weekly pay. Apply on the Parcelly careers page: "
              "parcelly.com/careers #hiring #austinjobs", author="ParcellyATX"),
    p("K", X, "ShipFast lost my box, Parcelly never did. moving all my shop orders over"),
    p("K", X, "BoxNow just announced 15-minute locker slots. your move Parcelly"),
    p("O", X, "me waiting for my Parcelly notification like it's a text from my crush"),
    storm(X, "@ParcellyHelp is the app down?? tracking page just says 500 Internal Server Error",
          author="mike_delgado87"),
    storm(X, "parcelly app won't even open, spinning wheel of death. courier is literally outside and I can't "
             "get the code 🙃"),
    storm(X, "@ParcellyHelp tracking page 500, app crashes on launch. my parcel says 'out for delivery' and I "
             "have no locker code. pls fix"),
    storm(X, "is it just me or is Parcelly completely down rn"),
    storm(X, "great timing Parcelly, app down right when I need to reschedule. love that for me"),
    storm(X, "@ParcellyHelp getting 'something went wrong' on every screen. iOS 19, reinstalled twice"),
    # --- bluesky ---------------------------------------------------------------------------------
    p("C", B, "Parcelly left my package in the rain AGAIN. cardboard soup. photo attached, not that anyone at "
              "Parcelly will look at it"),
    p("C", B, "hey @parcelly.bsky.social, parcel PX-61120 was 'delivered' to a locker that doesn't exist. the "
              "address in the app is a car park"),
    p("C", B, "Hi Parcelly, I returned the jacket on Nov 2 and the refund is still pending. Order PX-47730. "
              "Could someone check please?"),
    p("C", B, "why is Parcel\u200bly's support chat only open 9 to 5 on weekdays. parcels arrive on saturdays "
              "too you know"),
    p("P", B, "Parcelly's new live map where you can watch the van moving is weirdly soothing. 10/10 would "
              "stare again"),
    p("P", B, "shoutout to the Parcelly driver who put my package behind the plant pot exactly like I asked ❤️"),
    p("Q", B, "does anyone know if Parcelly lockers take returns or only pickups?"),
    p("O", B, "every time I see a Parcelly van I remember it's just 'parcel' + 'ly' and someone got paid for "
              "that name"),
    storm(B, "parcelly's tracking page throwing 500s for anyone else? can't see where my package is"),
    storm(B, "Parcelly app down, website down, support chat down. at least they're consistent"),
    storm(B, "anyone know if parcelly has a status page? app has been dead for like 20 min"),
    # --- mastodon --------------------------------------------------------------------------------
    p("C", M, "Parcelly's app now wants location access 'always' to show tracking. No thanks. Why does a "
              "delivery app need my location at 3am? #Parcelly #privacy", noreply=True),
    p("C", M, "Third time this month a Parcelly courier left a 'sorry we missed you' slip without ringing. I work "
              "from home. #Parcelly", author="jan@fosstodon.org"),
    p("P", M, "Small thing, but Parcelly finally lets you turn off marketing push notifications separately from "
              "delivery ones. Thank you. #Parcelly"),
    p("Q", M, "Does Parcelly offer paperless return labels? I don't own a printer and refuse to buy one "
              "#Parcelly #askfedi"),
    p("O", M, "Spotted a Parcelly cargo bike in the canal district today. Love to see it #Parcelly #cycling"),
    p("K", M, "Comparing Parcelly and BoxNow for our little coop shop. BoxNow's lockers are closer, Parcelly's "
              "API is nicer. Anyone used both? #Parcelly #smallbusiness"),
    storm(M, "Parcelly app is down and the tracking site returns HTTP 500. Their status page says 'All systems "
             "operational' 🙃 #Parcelly", author="jan@fosstodon.org"),
    # --- hacker news -----------------------------------------------------------------------------
    p("O", H, "We route about 40k couriers a day: Python, Postgres and a lot of graph problems. Details on remote "
              "work and the interview loop are on the Parcelly careers page.",
      title="Parcelly (YC W21) is hiring backend engineers in Lisbon", author="parcelly_hiring"),
    p("O", H, "I got tired of refreshing the tracking page, so I sniffed the Parcelly app's traffic and wrote a "
              "small daemon that sends a push notification when the courier is 3 stops away.",
      p("C", H, "Parcelly's API returning the driver's GPS position at 1 Hz without any auth is a privacy "
                "problem for the drivers more than a feature for us. Someone at Parcelly should fix that.",
        noreply=True),
      p("Q", H, "Does this still work after Parcelly's v3 app update? I think they moved to signed requests."),
      p("P", H, "Nice. Parcelly's ETA predictions are honestly the best I've seen, within 5 minutes every time "
                "for me."),
      title="Show HN: I reverse-engineered Parcelly's tracking API to get push notifications"),
    p("C", H, "Parcel marked delivered, not delivered. Chatbot loops. Email gets auto-closed after 48h. The phone "
              "line says 'use the app'. I have doorbell camera footage showing nobody came. How do you escalate "
              "with Parcelly?",
      p("O", H, "Try their Twitter account, @ParcellyHelp. Companies answer in public much faster than in private. "
                "Sad but true, Parcelly included."),
      p("P", H, "Counterpoint: I had the same problem last month and Parcelly refunded me within a day. Might be "
                "regional."),
      p("K", H, "This is why I pay extra for BoxNow. Not that they lose fewer parcels than Parcelly, they just "
                "have a phone number with a human behind it."),
      title="Ask HN: Has anyone ever reached a human at Parcelly support?"),
    p("O", H, "Blog post by the Parcelly engineering team on their vehicle routing: OR-Tools plus a lot of custom "
              "heuristics, and why they batch stops by building entrance rather than by address.",
      p("C", H, "Funny, Parcelly's routing sends my courier past my house three times a day and my parcel still "
                "says 'access problem'."),
      p("Q", H, "Does anyone know if Parcelly open-sourced any of this?"),
      title="How Parcelly plans 2M stops a day"),
    p("C", H, "Their status page stayed green the whole time while the app and the tracking page returned 500s. "
              "Anyone from Parcelly care to share what happened?",
      p("O", H, "Status pages that are updated by hand are marketing, not monitoring. Parcelly is hardly "
                "special here."),
      p("O", H, "Parcelly outage? Probably DNS. It's always DNS."),
      title="Parcelly was down for an hour today", minute=897.3,
      answer="Parcelly engineer here. A bad config push to our API gateway took out the app and tracking between "
             "13:00 and 14:05 UTC. Parcels kept moving, but nobody could see them. We'll publish a full "
             "post-mortem this week. Fair point about the status page: it should have gone red automatically "
             "and it will."),
    p("O", H, "Parcelly, the parcel-delivery app, raised $120M to expand its locker network across Europe and "
              "Latin America.",
      p("K", H, "Between Parcelly, ShipFast and BoxNow, locker networks are the new ride-hailing war. Someone "
                "runs out of money first."),
      p("C", H, "Maybe Parcelly can spend some of it on support. Twelve days waiting for a refund on a lost "
                "parcel, order PX-49876."),
      p("Q", H, "Does anyone know if Parcelly is actually profitable on a per-parcel basis?"),
      title="Parcelly raises $120M Series C"),
    p("Q", H, "We ship about 300 dev boards a month inside the EU. Looking at Parcelly, ShipFast and BoxNow. "
              "Experiences?",
      p("P", H, "We send ~1k shipments a month with Parcelly. Their label API is solid and damage is rare."),
      p("K", H, "ShipFast is cheaper than Parcelly under 2 kg, BoxNow wins on lockers. We split by weight."),
      p("C", H, "Avoid Parcelly for anything fragile, in our experience: 4% damage rate last quarter and claims "
                "take weeks."),
      title="Ask HN: Best parcel carrier for a small hardware startup? (Parcelly, ShipFast, BoxNow)"),
    p("C", H, "Why does a parcel tracking app need 180 MB and 14 SDKs? Ran it through Exodus: 9 trackers. "
              "Parcelly, come on.",
      p("Q", H, "How did you count the SDKs in the Parcelly APK, jadx?"),
      title="The Parcelly Android app is now 180 MB",
      answer="Fair criticism. Parcelly dev here: the next release drops five of those SDKs (two were left over "
             "from an old A/B test) and the APK goes down to about 90 MB. The remaining analytics can be switched "
             "off under Settings > Privacy."),
    p("C", H, "Parcelly locker unlock codes can be derived from the parcel ID printed on the label. I reported it "
              "60 days ago and got no answer, so here is the writeup.",
      p("O", H, "If Parcelly doesn't answer within 90 days you're well within the norms to publish."),
      title="Parcelly locker codes are derivable from the parcel ID",
      answer="Thanks for reporting this, and sorry it fell through the cracks. Our security team has the report "
             "now and will contact you today. Please email security@parcelly.com with your original ticket so "
             "we can credit you properly."),
    p("C", H, "The new terms let Parcelly share proof-of-delivery photos (i.e. pictures of your front door) with "
              "'selected partners' for 'service improvement'. There is no opt-out in the app.",
      p("Q", H, "Is that even legal under GDPR? Parcelly operates in the EU, so photos of a home would need a "
                "legal basis."),
      title="Parcelly's new terms let it share photos of your front door with partners", noreply=True),
    p("O", H, "Parcelly released the library it uses to clean up and geocode messy street addresses in 14 "
              "countries, under Apache-2.0.",
      p("P", H, "Props to Parcelly for releasing this. Address parsing is one of those problems everyone "
                "underestimates."),
      p("K", H, "ShipFast built something similar in-house years ago and never shared it. Nice to see Parcelly do "
                "the opposite."),
      title="Parcelly open-sources its address normalisation library"),
    # --- rss -------------------------------------------------------------------------------------
    p("C", F, "Used to be great. Since the last update the app logs me out every time I open it and the tracking "
              "map is blank. Parcelly please fix", title="Used to be great", community="appstore-reviews",
      author="jess_k82"),
    p("C", F, "The Parcelly app crashes whenever I try to upload a photo for a damage claim. Tried on two phones.",
      title="Crashes on claims", community="googleplay-reviews", author="Daniel Okafor"),
    p("P", F, "Love the live map and the one-hour windows. Parcelly drivers are always polite.",
      title="Best delivery app I've used", community="appstore-reviews", author="Rach M."),
    p("C", F, "Parcelly lost a £240 parcel. After five weeks of emails they offered a £20 voucher. Not "
              "acceptable.", title="Lost parcel, no compensation", community="trustpilot", author="Mark Hughes"),
    p("O", F, "Parcelly is adding round-the-clock lockers at train stations and supermarkets in 30 UK cities, "
              "the company said on Monday.", title="Parcelly launches 24/7 lockers in 30 UK cities",
      community="techpress", author="GadgetWire"),
    p("K", F, "Both rivals announced cheaper small-parcel rates this week, days after Parcelly confirmed its "
              "European expansion.", title="ShipFast and BoxNow cut prices as Parcelly expands",
      community="techpress", author="The Last Mile Report"),
    p("C", F, "Returned two items on Nov 3 and I'm still waiting for my refund. Otherwise the Parcelly app is fine.",
      title="Refund still pending", community="appstore-reviews", author="k_tran"),
    p("P", F, "After the update Parcelly notifications arrive on time again. 5 stars for the delivery window "
              "feature.", title="Finally fixed notifications", community="googleplay-reviews", author="Priya S"),
    p("O", F, "Parcelly will test drone deliveries to suburbs of Lisbon from January, pending approval from the "
              "aviation authority.", title="Parcelly to pilot drone deliveries in Lisbon", community="techpress",
      author="Logistics Weekly"),
    p("P", F, "Insanely fast delivery, ridiculously easy returns. Parcelly is the only one I trust with my vinyl.",
      title="Insanely fast", community="appstore-reviews", author="Sam O."),
    # --- reddit ----------------------------------------------------------------------------------
    storm(R, "App crashes on launch and parcelly.com/track gives a 500 error. Started maybe 15 min ago. Anyone "
             "else? I have a locker pickup that expires today",
          storm(R, "Same. Parcelly tracking page is a 500 for me too, and the app just shows the splash screen"),
          storm(R, "parcelly down here too (Leeds). my locker code is in the app I can't open lol"),
          title="Parcelly app down?", community="parcelly", noreply=True),
    p("C", R, LONG_RANT,
      p("O", R, "I read the whole thing. Parcelly owes you a cake at minimum."),
      p("Q", R, "Did you try a chargeback? With Parcelly that's usually what finally gets a human involved."),
      title="A long rant about Parcelly, a birthday present and 23 days of 'in transit'",
      community="mildlyinfuriating", author="throwaway_parcel_rage"),
    p("C", R, "Not a joke. The photo proof from the courier shows it ON THE ROOF of the shed next door. Parcelly "
              "marked it 'delivered to safe place'.",
      p("O", R, "'Safe place' is technically correct, nobody's getting up there. Parcelly courier thinking "
                "outside the box"),
      title="Parcelly delivered my package to the neighbour's roof", community="mildlyinfuriating"),
    p("C", R, "Hi, I returned a pair of boots on Nov 1. The return was scanned at the Parcelly locker the same day. "
              "The refund still shows 'processing'. Is this normal? Order #PX-51842.",
      title="Refund for order #PX-51842 still not processed", community="parcelly"),
    p("Q", R, "Moving to a place where I'd rather use a PO box. Does Parcelly deliver to PO boxes or only street "
              "addresses?",
      p("C", R, "They say they do. Parcelly had my 'PO box' parcel sit in the depot for a week and then sent it "
                "back to the seller, so ymmv"),
      p("O", R, "Parcelly PO box delivery depends on the zip code I think, check at checkout"),
      title="Does Parcelly deliver to PO boxes?", community="parcelly"),
    p("C", R, "Proof of delivery says 'handed to Gary'. I don't know any Gary. Nobody on my street is called "
              "Gary. Parcelly support says the delivery is 'confirmed'.",
      p("O", R, "Everyone knows a Gary. Parcelly just assumed."),
      title="Parcelly courier left my parcel with 'Gary'. I don't know any Gary", community="mildlyinfuriating"),
    p("Q", R, "Got an SMS saying my Parcelly parcel is held at customs and I need to pay €2.99 at "
              "parcelly-customs.help. Is this legit? The order is domestic.",
      p("O", R, "Classic smishing. Parcelly's real domain is parcelly.com, nothing else."),
      title="Parcelly customs fee text, scam?", community="parcelly",
      answer="That's a scam, please don't click it. We never ask for payments through SMS links. You can forward "
             "it to phishing@parcelly.com, thanks for checking first!"),
    p("P", R, "Just tried it: scan the QR in the app, drop the box, done. Parcelly finally did something right 😅",
      p("Q", R, "Does this work for returns from any store or only Parcelly partner shops?"),
      p("P", R, "Used it yesterday, took 30 seconds. Parcelly lockers are great when they work"),
      title="PSA: Parcelly lockers now take returns without a label", community="parcelly"),
    p("C", R, "Third reschedule this week. I never asked for any of them. The app says 'at customer's request'. "
              "Which customer?? Parcelly please explain",
      p("O", R, "Parcelly does this when the route is overloaded, they push the far stops. Happened to me in "
                "December too."),
      title="Parcelly keeps rescheduling my delivery without asking", community="parcelly"),
    p("Q", R, "Thinking of getting Parcelly Plus for the free returns. I do maybe 3-4 returns a month. Worth it?",
      p("P", R, "If you return more than twice a month Parcelly Plus pays for itself. You also get the priority "
                "slots."),
      p("K", R, "BoxNow has a similar plan for half the price but fewer lockers. I compared it with Parcelly Plus "
                "last month"),
      title="Is Parcelly Plus worth it?", community="parcelly"),
    p("P", R, "He remembers my dog's name, he waits when I'm slow, and once he brought my parcel back because it "
              "was raining and he didn't want to leave it outside. Parcelly, give this man (route 14, Bristol) a "
              "raise.",
      p("P", R, "Our Parcelly guy is the same, knows the whole street by name"),
      title="My Parcelly driver is the nicest human alive", community="delivery"),
    p("K", R, "Shipping about 50 orders a week, mostly small prints. Currently on ShipFast. Is Parcelly actually "
              "better or just better marketing?",
      p("K", R, "ShipFast lost my box, Parcelly never did. That's my whole review"),
      p("P", R, "Parcelly labels are cheaper for flat items under 500g in my experience"),
      p("C", R, "Parcelly bent two of my prints this month, padded mailers or not. Just so you know."),
      title="ShipFast vs Parcelly vs BoxNow for a small Etsy shop?", community="delivery"),
    p("C", R, "After today's update all my saved addresses are gone, and adding a new one says 'invalid postcode' "
              "for a postcode that has existed since 1974. Parcelly what happened?",
      p("O", R, "Did you try logging out and in again? Parcelly stores them server-side I think"),
      title="Parcelly app update wiped my saved addresses", community="parcelly"),
    p("C", R, "Status flipped to 'Delivered' at 11:02. The driver actually showed up at 14:15. Three hours of me "
              "searching the porch. Thanks Parcelly",
      title="Parcelly tracking says 'delivered' 3 hours before the driver shows up", community="mildlyinfuriating"),
    p("C", R, "Filed a damage claim with Parcelly 10 days ago (smashed monitor, photos uploaded), status hasn't "
              "moved from 'received'. How long did yours take?",
      title="Parcelly damage claim: how long did yours take?", community="parcelly"),
    p("Q", R, "Signing up and it's a required field. Is it for age-restricted deliveries or just data hoarding, "
              "Parcelly?",
      title="Why does Parcelly need my date of birth?", community="parcelly",
      answer="Hi! It's only used to verify age for restricted items (alcohol, some medicines). You can remove it "
             "under Settings > Profile if you never order those. Sorry the sign-up makes it look mandatory, "
             "we're fixing that screen."),
    p("P", R, "small thing but my Parcelly courier drew a smiley on the box and it made my day :)",
      title="my Parcelly courier drew a little smiley on the box", community="delivery"),
    p("C", R, "The screen is cracked and it just beeps. There are clearly parcels inside. Parcelly support says "
              "'it's operational'. It is not operational.",
      title="Parcelly locker #4471 has been broken for a week", community="parcelly"),
    p("O", R, "Saw the Parcelly jobs post for weekend drivers in Phoenix. How's the pay? Anyone worked there?",
      p("O", R, "Drove for Parcelly for 8 months. Pay's ok, the driver app is worse than the customer one"),
      title="Anyone driven for Parcelly?", community="delivery"),
    p("C", R, "New build, moved in October. Parcelly's checkout rejects my address, every other courier finds it "
              "fine. Anyone fixed this?",
      title="Help: Parcelly says my address doesn't exist", community="parcelly"),
    p("P", R, "Saw three Parcelly cargo bikes this morning. Kind of love it.",
      p("P", R, "Parcelly bikes are so quiet, love them"),
      title="Apparently Parcelly delivers by cargo bike in my city now", community="delivery"),
    p("C", R, "Hi, I bought a Parcelly label for order PX-55018 and I see two charges of $7.40 on my card. Could "
              "someone look into it? Thanks.", title="Charged twice for the same Parcelly label", community="parcelly"),
    p("K", R, "Had issues with both this year. ShipFast answered in 2 days by email, Parcelly answered on Twitter "
              "in 20 minutes. Weird world.",
      title="Parcelly vs ShipFast customer service", community="delivery"),
    p("C", R, "Proof of delivery photo: my parcel, in my recycling bin. Bin day was today. The truck came at 7. "
              "Parcelly delivered at 6:40.",
      p("O", R, "Parcelly courier: 'left in a safe place'. The safe place: the bin lorry"),
      title="Parcelly left my parcel in the recycling bin. Bin day was today.", community="mildlyinfuriating"),
    p("P", R, "I wrote 'beware of the cat, she's friendly but will try to get in the van' and the Parcelly "
              "driver wrote back 'noted 🐈'",
      p("P", R, "That's adorable. My Parcelly driver only replies with a thumbs up emoji"),
      title="TIL Parcelly lets you leave a note for the driver", community="parcelly"),
    p("C", R, "Can't log in to Parcelly since this morning, 'invalid token' on every attempt. Reset the password "
              "twice. Anyone?", title="Parcelly login broken?", community="parcelly"),
    p("S", R, "Got 50 Parcelly €20 vouchers from work, selling for €5 each. DM me, crypto only",
      title="Cheap Parcelly vouchers!!", community="parcelly"),
    p("S", R, "Use my Parcelly referral code PXR-KATE22 for €10 off your first shipment!! Works in all countries!!",
      title="Parcelly promo code (real one)", community="delivery"),
    p("O", R, "The new Parcelly icon looks like a sad potato",
      title="Did Parcelly just change the app icon?", community="parcelly"),
    p("C", R, "Parcelly proof of delivery shows a signature that says my name. I was at work. My signature does "
              "not look like a child drew it with their left foot.",
      p("O", R, "That's a Parcelly classic. Report it, they do investigate forged signatures"),
      title="Courier signed for my parcel with my name", community="mildlyinfuriating"),
    p("P", R, "Took them 4 years but Parcelly finally has dark mode. My eyes thank you.",
      p("C", R, "Parcelly dark mode is nice but the map is still bright white and blinds me at night, please "
                "fix that too", noreply=True),
      title="Parcelly dark mode finally!", community="parcelly"),
    p("O", R, "Parcelly delivered my neighbour's parcel to me. Someone had written شكرا (thanks) on it by hand, "
              "so I delivered it myself and got a plate of cookies back",
      title="Accidental Parcelly courier for a day", community="delivery"),
    p("P", R, "My Parcelly courier wrote תודה on the box after I left him a coffee. Turns out he's from Haifa. "
              "Tiny wholesome moment", title="Wholesome Parcelly moment", community="delivery"),
    p("O", R, "throwback to the 2026 Parcelly outage where we all learned how often we open the app 😅 "
              "(I opened it 31 times today apparently)", title="Screen time report after the Parcelly outage",
      community="parcelly", minute=1311.8),
    # --- more reddit -----------------------------------------------------------------------------
    p("C", R, "Doorbell cam caught it. Full overarm throw over the gate, like he was trying out for a baseball "
              "team. It was a glass lamp. Parcelly, I have the video.",
      p("S", R, "Hi! We help customers recover compensation from Parcelly and other couriers. DM us for a free "
                "case review 💼", author="ClaimHelpPro"),
      title="Parcelly driver threw my parcel over the gate", community="mildlyinfuriating"),
    p("C", R, "The app has said 'refund approved' for 20 days. Nothing on my card. Bank says nothing is pending. "
              "Parcelly chat says 'please allow up to 10 working days' which passed a week ago.",
      title="Parcelly refund 'approved' 20 days ago, still nothing", community="parcelly"),
    p("C", R, "I pay for Parcelly Plus specifically for free redelivery. Got charged $4.99 for a redelivery "
              "anyway (order PX-53377). Small amount, but that's the one thing Plus is for.",
      title="Paid for Parcelly Plus, still charged a redelivery fee", community="parcelly"),
    p("C", R, "The Parcelly app says 'door 14 is open'. Door 14 is very much closed. Tapped 'reopen' five times. "
              "There's a queue behind me now.", title="Parcelly locker says 'door open'. It isn't.",
      community="parcelly"),
    p("C", R, "For two weeks I've been getting pickup codes for a 'Deborah' three towns away. Told Parcelly support "
              "twice. Got her locker code again today. Deborah, if you're reading this, your shoes are at the "
              "station locker.",
      title="Parcelly keeps texting me someone else's pickup codes", community="parcelly"),
    p("C", R, "Updated my address in Parcelly on the 1st, got the confirmation email and everything. Two parcels "
              "since then went to my old flat anyway. The new tenant is nice about it but come on.",
      title="Parcelly delivers to my old address even though I changed it", community="parcelly"),
    p("C", R, "Opened a ticket about a missing item (1 of 3 boxes arrived). Got an email 'your ticket has been "
              "resolved'. Nobody ever wrote to me. Order PX-54090. Parcelly, what was resolved?",
      title="Parcelly closed my support ticket without a reply", community="parcelly"),
    p("C", R, "Parcelly van parked across my driveway for 25 minutes while the driver had lunch. I was late for "
              "work. I don't even have a parcel coming.",
      title="Parcelly courier blocked my driveway for his lunch break", community="mildlyinfuriating"),
    p("C", R, "I've set 'no neighbour delivery' in the Parcelly app 3 times and my parcels still end up with the "
              "guy at no. 12 who never answers his door. Is there any setting that actually works?",
      title="Any way to stop Parcelly leaving parcels with neighbours?", community="parcelly"),
    p("C", R, "Sent my passport renewal documents with Parcelly signed-for delivery. Tracking stopped at the hub "
              "4 days ago. I fly in 3 weeks. Parcelly support keeps telling me to 'wait 48 hours'.",
      p("S", R, "I work at a Parcelly depot and can locate your parcel for a small fee, DM me", author="dep0t_insider"),
      p("Q", R, "Did you pay for the insured Parcelly option? That sometimes gets you a real investigator"),
      title="Parcelly lost my passport renewal documents", community="parcelly"),
    p("C", R, "Parcelly checkout shows prices in USD even though my account is set to Canada, and my bank added "
              "a foreign transaction fee. Third time now.", title="Parcelly charging me in USD in Canada",
      community="parcelly"),
    p("C", R, "Picked the 'eco delivery' option in Parcelly because it said 3-5 days. Day 11. The planet and I "
              "are both still waiting.", title="Parcelly 'eco delivery' took 11 days", community="delivery"),
    p("Q", R, "Trying to send a 50x40x40 box. Does anyone know the biggest size that fits a Parcelly locker?",
      p("P", R, "I fit a 40x40x60 in the XL one. Parcelly lockers are surprisingly roomy"),
      title="Biggest box that fits a Parcelly locker?", community="parcelly"),
    p("Q", R, "Does Parcelly ship internationally from the US yet, or is it still domestic only?",
      title="Parcelly international shipping from the US?", community="parcelly"),
    p("P", R, "Had a damaged parcel, filed a claim, and a real person from Parcelly CALLED me the next day and "
              "sorted it in 5 minutes. Didn't know that was possible anymore.",
      title="Parcelly support actually called me back", community="parcelly"),
    p("S", R, "Need cash fast? Deliver for Parcelly partners, $500/day, no license check 🚗💸 DM for details",
      title="Easy money delivering for Parcelly", community="delivery", author="EZcash_driver"),
    # --- more of the others ----------------------------------------------------------------------
    p("P", X, "the @ParcellyHelp team replied in 4 minutes on a Sunday night. who are you people"),
    p("Q", B, "is Parcelly's 'leave with neighbour' opt-in or opt-out? asking before christmas chaos starts"),
    p("P", B, "Parcelly's return flow is ridiculously easy. printed nothing, scanned a QR, dropped the box, done"),
    p("S", B, "Parcelly tracking number lookup, free tool 👉 parcel-track-free.xyz no signup needed!!",
      author="parceltrackfree.bsky.social"),
    p("Q", M, "Is there a way to get Parcelly tracking as an RSS or iCal feed? #Parcelly #askfedi"),
    p("P", M, "Parcelly's app got a lot better with VoiceOver, it reads every tracking step properly now. Thank "
              "you to whoever did that #Parcelly #a11y"),
    p("C", F, "Every single delivery goes to the wrong entrance of our building, even with the note in the app. "
              "Parcelly support apologises and nothing changes.", title="Wrong entrance, every time",
      community="trustpilot", author="Helen W."),
    p("C", F, "The claims form in the Parcelly app fails on the last step with 'unexpected error'. Three weeks, "
              "three app versions.", title="Claims form broken", community="appstore-reviews", author="benjiT"),
    p("C", F, "Parcelly charged me twice for one label and support wants me to 'dispute with my bank'. Really?",
      title="Double charge, no help", community="googleplay-reviews", author="Aaron Patel"),
    p("P", F, "Parcelly's lockers saved my sanity during the move. Pickup at 2am, no queue, no problem.",
      title="Lockers are brilliant", community="trustpilot", author="Nadia R."),
]

RU = [
    storm(X, "@ParcellyHelp у вас приложение лежит? не работает приложение, трекинг выдаёт 500"),
    storm(X, "Парселли опять упал. Приложение не открывается, курьер звонит, а я код от постамата не вижу 🤬"),
    storm(B, "не работает приложение Parcelly уже минут 20, страница отслеживания — ошибка 500. у всех так?"),
    storm(X, "@ParcellyHelp сайт отслеживания выдаёт 500 Internal Server Error, приложение вылетает на старте. "
             "Когда почините?"),
    p("C", X, "@ParcellyHelp посылка PX-39016 «вручена», но мне её никто не вручал. Курьер даже не позвонил"),
    p("C", X, "ну спасибо, Парселли, третий раз переносите доставку. отличный сервис, ничего не скажешь 🙃"),
    p("C", B, "Заказала через Parcelly, коробка пришла мятая, внутри разбитая кружка. Форма претензии не "
              "отправляется, просто крутится кружочек"),
    p("C", F, "После последнего обновления Парселли постоянно выкидывает из аккаунта, уведомления не приходят. "
              "Раньше всё было нормально, верните как было.", title="После обновления всё сломалось",
      community="appstore-reviews", author="Ольга Н."),
    p("C", M, "Жду возврат денег за заказ PX-44120 уже 17 дней. Подскажите, пожалуйста, сколько это обычно "
              "занимает? #Parcelly"),
    p("C", R, "Код не подходит, постамат Парселли пишет «ячейка пуста», а в приложении посылка «ожидает получения». "
              "Поддержка в чате отвечает шаблонами. Что делать?",
      title="Парселли не отдаёт посылку из постамата", community="parcelly"),
    p("Q", X, "@ParcellyHelp а можно поменять адрес доставки, если посылка уже в пути?",
      answer="Здравствуйте! Да, пока посылка не передана курьеру, адрес можно изменить в приложении: Заказ → "
             "Изменить доставку 🙂"),
    p("Q", B, "кто-нибудь знает, Парселли принимает возвраты в постаматах или только в пунктах выдачи?"),
    p("Q", R, "Парселли вообще доставляет в Казахстан или только внутри страны? Хочу отправить маме посылку.",
      title="Парселли и доставка в Казахстан", community="parcelly"),
    p("Q", M, "Подскажите, у Parcelly есть тариф для маленьких магазинов? Отправляю штук 30 посылок в неделю "
              "#Parcelly"),
    p("P", X, "Parcelly привезли за 3 часа, я даже чай допить не успел. Безумно быстро 🔥"),
    p("P", B, "курьер Парселли дождался меня под дождём, пока я бежала от метро. дай бог ему здоровья ❤️"),
    p("P", F, "Удобно, быстро, курьер на карте в реальном времени. Parcelly, спасибо!",
      title="Лучшее приложение доставки", community="googleplay-reviews", author="Дмитрий К."),
    p("P", X, "не ожидал, но поддержка Парселли вернула деньги за пропавшую посылку за один день. респект"),
    p("P", R, "Пользуюсь Parcelly полгода, ни одной потерянной посылки. Возвраты через постамат — вообще огонь.",
      title="Parcelly — отличный опыт", community="parcelly"),
    p("S", X, "🎁 Розыгрыш от Parcelly! Получите 5000 ₽ на доставку — переходите по ссылке bit.ly/parcelly-bonus "
              "и введите данные карты", author="Parcelly_Bonus"),
    p("S", B, "Работа курьером в Parcelly, от 150 000 ₽ в месяц, без опыта, оплата каждый день! Пишите в "
              "телеграм @parcel_rabota"),
    p("K", X, "ShipFast потерял мою коробку, а Парселли ни разу ничего не терял. Вывод очевиден"),
    p("K", B, "BoxNow поставили постаматы прямо у меня во дворе, теперь Parcelly придётся постараться"),
    p("O", X, "когда курьер Парселли пишет «буду через 5 минут» — это как «я уже выхожу» у друзей 😂"),
    p("O", F, "Сервис Парселли объявил о запуске экспресс-доставки за два часа в Казани и Екатеринбурге.",
      title="Parcelly запускает доставку за 2 часа", community="techpress", author="Логистика Сегодня"),
    p("C", R, "Курьер отказался отдавать посылку, пока не заплачу 300 ₽ «за подъём на этаж». В приложении Парселли "
              "никаких доплат нет. Это вообще нормально?", title="Курьер Парселли требует доплату наличными",
      community="parcelly"),
    p("S", X, "Верну деньги за потерянную посылку Parcelly за 24 часа 💰 пишите в ЛС, предоплата всего 10%",
      author="vozvrat_24"),
    p("P", R, "Заказал в 10 утра, в 13 уже был у двери. Курьер вежливый, коробка целая. Parcelly, так держать.",
      title="Парселли реально быстрые", community="parcelly"),
    p("C", F, "Форма претензии в приложении Парселли не загружает фото, пишет «ошибка сети». Интернет в порядке.",
      title="Не могу оформить претензию", community="googleplay-reviews", author="Игорь С."),
    p("Q", B, "подскажите, Парселли отдаёт посылку по паспорту, если телефон сел и кода нет?"),
]

UK = [
    storm(X, "@ParcellyHelp застосунок не працює, сторінка відстеження видає 500. Що відбувається?"),
    storm(B, "Парселлі ліг 🙃 застосунок не відкривається взагалі, а мені треба забрати посилку з поштомату до 15:00"),
    storm(X, "в Парселлі все впало? не працює ні застосунок, ні сайт"),
    storm(B, "@parcelly.bsky.social трекінг не працює, помилка 500. у всіх так чи тільки в мене?"),
    p("C", X, "@ParcellyHelp замовлення PX-40377 позначене як доставлене, але посилки немає. Сусіди теж нічого "
              "не бачили"),
    p("C", M, "Вже два тижні чекаю на повернення коштів від Parcelly, замовлення PX-45590. Підкажіть, будь ласка, "
              "коли чекати? #Parcelly"),
    p("C", B, "кур'єр Парселлі знову залишив посилку під дверима під'їзду. під дощем. дякую, дуже зручно 🙃"),
    p("C", F, "Застосунок Парселлі вилітає щоразу, коли відкриваю карту. iPhone 13, остання версія.",
      title="Постійно вилітає", community="appstore-reviews", author="Оксана"),
    p("C", R, "Тричі переносили доставку без мого запиту, в застосунку пише «на прохання клієнта». Я нічого не "
              "просив! Хтось стикався з таким у Parcelly?",
      title="Парселлі тричі переносив доставку", community="parcelly"),
    p("C", X, "Parcelly, чому оплата за доставку списалася двічі? чек є, скрін є 😤"),
    p("Q", X, "@ParcellyHelp ви доставляєте в неділю?"),
    p("Q", B, "хтось знає, чи можна в Парселлі змінити адресу, коли посилка вже в дорозі?"),
    p("Q", M, "Чи є в Parcelly українська мова в застосунку? Не знайшла в налаштуваннях #Parcelly"),
    p("Q", R, "Чи працює Parcelly у Львові, чи тільки в Києві? На сайті незрозуміло.",
      title="Parcelly у Львові?", community="parcelly"),
    p("P", X, "Парселлі доставили за дві години, я в шоці 😳 шалено швидко"),
    p("P", B, "дуже вдячна кур'єру Парселлі, який заніс важку коробку на 5 поверх без ліфта 💙💛"),
    p("P", F, "Парселлі — найзручніший застосунок для посилок. Все чітко і вчасно.", title="Чудовий сервіс",
      community="googleplay-reviews", author="Андрій"),
    p("P", M, "Parcelly нарешті додали темну тему. Дрібниця, а приємно #Parcelly"),
    p("P", R, "Загубилась посилка, підтримка Parcelly повернула гроші за день. Не очікував, чесно.",
      title="Подяка підтримці Parcelly", community="parcelly"),
    p("S", X, "Parcelly роздає 1000 грн кожному! Тисни bit.ly/parcelly-ua та вводь дані картки 🎉",
      author="parcelly_ua"),
    p("S", B, "Схеми заробітку на доставках Парселлі, 2000$ на місяць без вкладень, пиши в телеграм"),
    p("K", X, "ShipFast віз мені посилку 9 днів, Парселлі — два. Більше не експериментую"),
    p("K", B, "Порівняв тарифи: BoxNow дешевший за Parcelly на малих посилках, але поштоматів у них майже нема"),
    p("O", X, "Парселлі має такий детальний трекінг, що я бачу, як кур'єр стоїть у заторі на мосту. майже кіно 🍿"),
    p("O", F, "Сервіс доставки Парселлі до кінця року встановить 200 нових поштоматів у Києві та області.",
      title="Parcelly відкриває 200 поштоматів у Києві", community="techpress", author="Логістика.UA"),
    p("C", M, "Parcelly вже тиждень не може доставити посилку в село під Житомиром, щодня «перенесено». "
              "#Parcelly"),
    p("C", R, "Відправив батькам ліки через Parcelly тиждень тому, трекінг застиг на «сортувальний центр». "
              "Підтримка каже чекати. Ліки потрібні зараз.", title="Parcelly загубив посилку з ліками",
      community="parcelly"),
    p("P", F, "Нарешті зрозумілий трекінг і поштомати біля дому. Парселлі, дякую!", title="Зручно",
      community="appstore-reviews", author="Ірина"),
    p("Q", R, "Купила куртку, не підійшов розмір. Як у Парселлі оформити повернення через поштомат?",
      title="Парселлі: як оформити повернення?", community="parcelly"),
]

PL = [
    storm(X, "@ParcellyHelp aplikacja nie działa, śledzenie przesyłki wywala błąd 500. Co jest grane?"),
    storm(B, "Parcelly leży 🙃 aplikacja nie działa, a kurier dzwoni, że stoi pod paczkomatem",
          author="kasia.bsky.social"),
    storm(X, "serio Parcelly, akurat teraz? apka się nie odpala, strona śledzenia 500"),
    storm(R, "Aplikacja Parcelly nie działa od jakichś 15 minut, strona śledzenia zwraca 500. Tylko u mnie?",
          title="Parcelly nie działa?", community="parcelly"),
    p("C", X, "@ParcellyHelp paczka PX-42871 oznaczona jako doręczona, a u mnie nic nie ma. Kurier nawet nie "
              "dzwonił"),
    p("C", B, "Parcelly po raz trzeci przełożyło mi dostawę. Super, naprawdę super 🙃", author="kasia.bsky.social"),
    p("C", R, "Cześć, oddałam buty 3 listopada przez paczkomat Parcelly, zwrot nadal „w realizacji”. "
              "Zamówienie PX-46102. Ile to zwykle trwa?",
      title="Zwrot pieniędzy z Parcelly — ile się czeka?", community="parcelly"),
    p("C", M, "Kurier Parcelly zostawił paczkę na wycieraczce na klatce, bez domofonu, bez SMS-a. Na szczęście "
              "sąsiadka ją zabrała. #Parcelly"),
    p("C", F, "Od ostatniej aktualizacji Parcelly wylogowuje mnie co chwilę, powiadomienia nie działają. Dwa lata "
              "było dobrze.", title="Coraz gorzej", community="googleplay-reviews", author="Marek W."),
    p("C", X, "Parcelly, ile można czekać? Paczka od 8 dni w sortowni w Strykowie 😤"),
    p("Q", X, "@ParcellyHelp czy mogę odebrać paczkę za kogoś, jeśli mam jego kod?",
      answer="Cześć! Tak, wystarczy kod odbioru i numer telefonu odbiorcy. W aplikacji możesz też przekazać "
             "paczkę innej osobie 🙂"),
    p("Q", R, "Czy w paczkomacie Parcelly można nadać zwrot bez drukowania etykiety? Nie mam drukarki.",
      title="Zwrot w Parcelly bez etykiety?", community="parcelly"),
    p("Q", B, "ktoś wie czy Parcelly dowozi do Zakopanego? w aplikacji nie ma mojego kodu pocztowego"),
    p("Q", M, "Czy Parcelly dowozi w Wigilię? Chcę zamówić prezenty na ostatnią chwilę #Parcelly"),
    p("P", X, "Parcelly dowiozło w 3 godziny, jestem w szoku. Szybciej niż pizza 🍕"),
    p("P", B, "kurier z Parcelly wniósł mi lodówkę na 4 piętro bez windy i jeszcze się uśmiechał. złoty człowiek"),
    p("P", R, "Zgubiła się paczka, napisałem do supportu Parcelly i w ciągu godziny mieli zwrot. Szacun.",
      title="Parcelly — pozytywne zaskoczenie", community="parcelly"),
    p("P", F, "Parcelly ma genialny podgląd kuriera na mapie. Wszystko działa płynnie.",
      title="Najlepsza apka kurierska", community="appstore-reviews", author="Agnieszka"),
    p("P", M, "Parcelly dowozi rowerami cargo po Krakowie. Cicho, ekologicznie i szybko 🚲 #Parcelly"),
    p("S", X, "Twoja przesyłka Parcelly oczekuje na dopłatę 1,99 zł. Opłać tutaj: parcelly-doplata.top",
      author="ParcellyPL_Info"),
    p("S", R, "Szukamy kierowców kat. B do Parcelly, Warszawa, umowa o pracę, 6500 zł netto. Więcej ofert na "
              "stronie Parcelly careers, CV na priv.",
      title="[Praca] Kierowca Parcelly, Warszawa", community="delivery"),
    p("K", X, "Przesiadłam się z ShipFast na Parcelly i pierwszy raz paczka dotarła w terminie"),
    p("K", R, "Prowadzę mały sklep z ceramiką, wysyłam ok. 40 paczek tygodniowo. BoxNow ma tańsze etykiety, "
              "Parcelly więcej punktów. Co polecacie?", title="BoxNow czy Parcelly dla małego sklepu?",
      community="delivery"),
    p("O", X, "kurier Parcelly: „będę za 5 minut”. ja, 45 minut później, wciąż w kurtce przy drzwiach 😂"),
    p("O", M, "zauważyłam, że wszyscy kurierzy Parcelly na moim osiedlu mają na imię Tomek. przypadek? nie sądzę "
              "#Parcelly"),
    p("C", F, "Paczka zaginęła 3 tygodnie temu, Parcelly od tamtej pory nie odpowiada na maile.",
      title="Paczka zaginęła, Parcelly milczy", community="trustpilot", author="Paweł K."),
    p("C", R, "Sąsiad nagrał, jak kurier Parcelly rzuca paczkami z busa na chodnik. Moja była w środku, monitor. "
              "Ekran pęknięty.", title="Kurier Parcelly rzuca paczkami", community="parcelly"),
    p("P", F, "Po ostatniej aktualizacji Parcelly w końcu działa płynnie, powiadomienia przychodzą na czas.",
      title="Wreszcie działa", community="googleplay-reviews", author="Kamil"),
    p("Q", B, "czy Parcelly ma w ogóle jakiś numer telefonu do supportu? czat w kółko odsyła mnie do FAQ"),
]

ZH = [
    storm(X, "@ParcellyHelp 应用打不开了，物流查询页面一直报500错误，怎么回事？"),
    storm(X, "Parcelly又崩了？？应用打不开，快递员在楼下等我的取件码 😭"),
    storm(B, "Parcelly的追踪页面500了，有人也这样吗"),
    storm(X, "Parcelly 服务器是不是挂了，刷了十分钟都进不去"),
    p("C", X, "@ParcellyHelp 订单PX-43309显示已签收，但我根本没收到！快递员电话也没打"),
    p("C", B, "等Parcelly退款已经三周了，订单PX-45017，请问什么时候能处理一下？"),
    p("C", F, "更新到最新版本后Parcelly一打开就闪退，重装也没用。", title="更新后闪退",
      community="appstore-reviews", author="小王"),
    p("C", X, "真棒，Parcelly又把我的包裹弄丢了 🙃 这个月第二次了"),
    p("C", M, "Parcelly的快递员把包裹直接扔在门口，箱子都压扁了，里面的杯子碎了 #Parcelly"),
    p("C", F, "Ｐａｒｃｅｌｌｙ丢件以后客服一周都没回复，只有自动回复，太失望了。", title="客服太慢",
      community="googleplay-reviews", author="Lily Chen"),
    p("Q", X, "@ParcellyHelp 请问快递柜的取件码有效期是几天？"),
    p("Q", B, "有人知道Parcelly的快递柜可以寄退货吗？"),
    p("Q", M, "Parcelly 支持寄到香港吗？官网没写清楚 #Parcelly"),
    p("Q", R, "刚搬到上海，想问一下Parcelly在这边有没有快递柜？", title="Parcelly 在上海能用吗？",
      community="parcelly"),
    p("P", X, "Parcelly今天两个小时就送到了，太快了吧 🚀"),
    p("P", B, "Parcelly的快递员小哥人超好，下雨天还帮我把箱子搬上楼 ❤️"),
    p("P", F, "Parcelly界面简洁，实时地图很方便，退货也简单。五星！", title="好用", community="appstore-reviews",
      author="Jason L."),
    p("P", X, "第一次用Parcelly，包装得特别好，一点都没坏 👍"),
    p("P", M, "Parcelly终于有深色模式了，好评 #Parcelly"),
    p("S", X, "🎁 Parcelly周年庆抽奖！点击 bit.ly/parcelly-cn 领取500元红包，先到先得！", author="Parcelly_Gift"),
    p("S", X, "代购代发，运费比Parcelly便宜50%，加微信 pxship888"),
    p("K", X, "ShipFast把我的箱子弄丢了，Parcelly从来没丢过，以后就用Parcelly了"),
    p("K", B, "BoxNow的快递柜比Parcelly多，但是app太难用了"),
    p("O", X, "Parcelly快递员说“马上到”，我已经等了四十分钟 😂 经典"),
    p("O", F, "包裹配送应用Parcelly宣布将在新加坡和香港上线，预计明年覆盖更多亚洲城市。",
      title="Parcelly宣布进入亚洲市场", community="techpress", author="物流观察"),
    p("C", R, "家门口的Parcelly快递柜连续一周显示“已满”，包裹每次都被退回网点，要跑三公里去取。",
      title="Parcelly 的快递柜一直显示已满", community="parcelly"),
    p("S", B, "Parcelly刷单兼职，日结300，在家就能做，私聊 🙋", author="jianzhi888.bsky.social"),
    p("P", R, "退货直接在快递柜扫码就行，不用打印面单，Parcelly这点做得真好。", title="Parcelly 的退货体验",
      community="parcelly"),
    p("C", F, "Parcelly要求一直开启定位才能看物流，没必要吧，隐私怎么保证？", title="定位权限太多",
      community="appstore-reviews", author="阿杰"),
    p("Q", B, "Parcelly有没有中文客服？想用中文沟通"),
]

DE = [
    storm(M, "App von Parcelly geht nicht, Sendungsverfolgung wirft HTTP 500. Statusseite sagt natürlich alles "
             "grün 🙄 #Parcelly", author="lena@chaos.social"),
    storm(X, "@ParcellyHelp App stürzt beim Start ab, Tracking-Seite zeigt Fehler 500. Ist da gerade was kaputt?"),
    storm(B, "Parcelly komplett down? App lädt nicht, Website 500er. Der Kurier steht vorm Paketschrank und ich "
             "hab keinen Code"),
    storm(X, "na toll, Parcelly ist down. genau dann, wenn ich die Zustellung umleiten will"),
    p("C", M, "Zum dritten Mal diese Woche eine Parcelly-Benachrichtigung „Zustellung nicht möglich“, obwohl ich "
              "zu Hause war. Geklingelt hat niemand. #Parcelly", author="lena@chaos.social"),
    p("C", X, "@ParcellyHelp Sendung PX-41938 als zugestellt markiert, ist aber nicht da. Nachbarn haben auch "
              "nichts."),
    p("C", B, "Warte immer noch auf meine Rückerstattung von Parcelly, Bestellung PX-46655, Rücksendung war am "
              "4.11. Könnt ihr bitte mal nachschauen?"),
    p("C", F, "Seit dem letzten Update meldet mich die Parcelly-App ständig ab. Push-Nachrichten kommen gar nicht "
              "mehr.", title="Seit dem Update unbrauchbar", community="appstore-reviews", author="Thomas B."),
    p("C", R, "Mein Parcelly-Paket hängt seit 10 Tagen im Verteilzentrum Hamburg, der Status ändert sich nicht. Der "
              "Support antwortet nur mit Textbausteinen. Jemand Erfahrung?",
      title="Parcelly Paket seit 10 Tagen im Verteilzentrum", community="parcelly"),
    p("C", M, "Parcelly verlangt jetzt für die Tracking-Karte Standortzugriff „immer“. Wozu? Deinstalliert. "
              "#Parcelly #Datenschutz", noreply=True),
    p("Q", X, "@ParcellyHelp liefert ihr auch sonntags?",
      answer="Hallo! Ja, in den meisten größeren Städten liefern wir auch sonntags. Den Liefertag kannst du in der "
             "App auswählen 🙂"),
    p("Q", M, "Hat Parcelly eine offene API fürs Tracking? Würde es gern in Home Assistant einbinden #Parcelly "
              "#HomeAssistant"),
    p("Q", R, "Kann man bei Parcelly am Paketschrank auch Retouren ohne gedrucktes Etikett abgeben?",
      title="Parcelly Paketschrank: Retoure ohne Etikett?", community="parcelly"),
    p("Q", M, "weiß jemand, ob Parcelly auch nach Österreich liefert? #Parcelly #fragdenfedi"),
    p("P", M, "Parcelly liefert in Leipzig jetzt mit Lastenrädern. Leise, schnell, freundlich. Gerne mehr davon "
              "🚲 #Parcelly"),
    p("P", X, "Wahnsinnig schnelle Lieferung von Parcelly, morgens bestellt, mittags da 😳"),
    p("P", B, "Der Parcelly-Fahrer hat mein Paket genau hinter den Blumentopf gelegt, wie ich es in der App "
              "geschrieben hatte. Danke!"),
    p("P", F, "Beste Paket-App, die ich kenne. Parcelly ist zuverlässig und die Live-Karte ist super.", title="Top",
      community="googleplay-reviews", author="Julia M."),
    p("P", M, "Ich muss Parcelly mal loben: Paket als verloren gemeldet, nach 2 Stunden war das Geld zurück. "
              "#Parcelly"),
    p("S", X, "Ihr Parcelly Paket wartet auf Zustellung. Bitte bestätigen Sie Ihre Adresse und zahlen Sie 1,99 € "
              "Gebühr: parcelly-zustellung.top", author="ParcellyServDE"),
    p("O", M, "Parcelly sucht Fahrer:innen in Berlin und Hamburg, Voll- und Teilzeit. Alle Infos unter Parcelly "
              "Careers: parcelly.com/careers #Jobs #Berlin", author="jobs_berlin@mastodon.social"),
    p("K", B, "ShipFast hat mein Paket verloren, Parcelly noch nie. Ich bleib dabei."),
    p("K", M, "BoxNow hat jetzt Paketschränke an jedem Supermarkt hier, da muss Parcelly nachziehen #Parcelly"),
    p("O", X, "Mein Parcelly-Fahrer kennt meinen Hund mittlerweile besser als meine Nachbarn 🐕"),
    p("O", F, "Der Lieferdienst Parcelly testet ab Dezember Drohnenzustellungen in ländlichen Regionen "
              "Brandenburgs.", title="Parcelly testet Drohnenzustellung in Brandenburg", community="techpress",
      author="Paketwelt"),
    p("C", R, "In der App ist „Zustellung beim Nachbarn“ aus. Trotzdem landet jedes zweite Parcelly-Paket bei "
              "Herrn K. im Erdgeschoss, der nie aufmacht. Wie kriegt man das abgestellt?",
      title="Parcelly stellt beim Nachbarn ab, obwohl deaktiviert", community="parcelly"),
    p("S", B, "Parcelly Gutscheine mit 90% Rabatt 🔥 nur heute!! Link in der Bio", author="deals-24.bsky.social"),
    p("P", R, "Paket kam beschädigt an, Foto in der App hochgeladen, zwei Tage später war Ersatz da. So geht das, "
              "Parcelly.", title="Lob an Parcelly", community="parcelly"),
    p("C", F, "Der Parcelly-Fahrer klingelt nie, ich bekomme nur die Nachricht „nicht angetroffen“. Dabei bin ich "
              "im Homeoffice.", title="Fahrer klingelt nie", community="googleplay-reviews", author="Sabine K."),
    p("Q", R, "Bekomme ein Paket aus Zürich. Kümmert sich Parcelly um die Verzollung oder muss ich selbst was "
              "machen?", title="Parcelly und Zoll bei Sendungen aus der Schweiz?", community="parcelly"),
]

ES = [
    storm(X, "@ParcellyHelp la app no funciona y la página de seguimiento da error 500. ¿Qué pasa?"),
    storm(X, "Parcelly caído otra vez?? no puedo ni abrir la app y el repartidor esperando abajo 😩"),
    storm(B, "¿a alguien más se le cae la app de Parcelly? error 500 en el seguimiento"),
    storm(X, "genial Parcelly, justo hoy que necesito cambiar la entrega se os cae todo 🙃"),
    p("C", X, "@ParcellyHelp el pedido PX-44482 aparece como entregado y aquí no ha llegado nada. Ni llamada ni "
              "nada"),
    p("C", R, "Hola, compré una etiqueta de Parcelly para el pedido PX-52210 y me aparecen dos cargos de 6,90 € en la "
              "tarjeta. ¿A alguien le ha pasado? ¿Cómo lo reclamo?",
      title="Parcelly me cobró dos veces el envío", community="parcelly"),
    p("C", B, "Sigo esperando el reembolso de Parcelly, pedido PX-47321, devuelto el 2 de noviembre. ¿Podéis "
              "revisarlo, por favor?"),
    p("C", X, "el repartidor de Parcelly dejó el paquete en el contenedor de reciclaje. de verdad que no me lo "
              "invento"),
    p("C", F, "Desde la última actualización Parcelly no me deja iniciar sesión. Pésimo.", title="Cada vez peor",
      community="googleplay-reviews", author="Carlos R."),
    p("C", R, "Lleva 12 días en el centro de Madrid sin moverse. El chat de Parcelly solo me responde con mensajes "
              "automáticos.", title="Paquete de Parcelly lleva 12 días «en tránsito»", community="parcelly"),
    p("Q", X, "@ParcellyHelp ¿puedo cambiar la dirección de entrega si el paquete ya salió?"),
    p("Q", R, "Me mudo a Las Palmas, ¿alguien sabe si Parcelly hace envíos a las islas y cuánto tarda?",
      title="¿Parcelly funciona en Canarias?", community="parcelly"),
    p("Q", B, "¿alguien sabe si en los lockers de Parcelly se pueden dejar devoluciones sin etiqueta?"),
    p("Q", R, "pregunta seria: ¿Parcelly cobra por la segunda entrega si no estaba en casa?",
      title="¿Parcelly cobra la segunda entrega?", community="parcelly"),
    p("P", X, "Parcelly me trajo el pedido en 2 horas, increíblemente rápido 🔥"),
    p("P", B, "el repartidor de Parcelly esperó a que bajara aunque tardé un montón. un crack"),
    p("P", R, "Perdieron mi paquete pero en una hora me devolvieron el dinero. No me lo esperaba de Parcelly, la "
              "verdad.", title="Buena experiencia con el soporte de Parcelly", community="parcelly"),
    p("P", F, "Parcelly es rapidísima y el mapa en tiempo real es una maravilla.", title="La mejor app de envíos",
      community="appstore-reviews", author="María G."),
    p("P", M, "Parcelly ya tiene modo oscuro en la app. Por fin 🙌 #Parcelly"),
    p("S", X, "🎉 ¡Sorteo Parcelly! Gana un iPhone 17 gratis, entra en bit.ly/parcelly-sorteo y completa tus "
              "datos bancarios", author="ParcellyPremios"),
    p("S", R, "Códigos de descuento Parcelly al 50%, escríbeme por DM, pago por Bizum",
      title="Descuentos Parcelly baratos", community="parcelly"),
    p("S", B, "Trabaja desde casa etiquetando paquetes de Parcelly, 1500€/mes sin experiencia, escríbeme 👇",
      author="trabajo-facil.bsky.social"),
    p("K", X, "ShipFast tardó 10 días en traerme una caja, con Parcelly fueron 2. No vuelvo"),
    p("K", R, "Envío unos 30 paquetes a la semana. BoxNow es más barato, pero Parcelly tiene más puntos de "
              "recogida. ¿Experiencias?", title="¿BoxNow o Parcelly para una tienda pequeña?", community="delivery"),
    p("O", X, "cuando la app de Parcelly dice «tu repartidor está a 2 paradas» y llevas 30 minutos mirando el "
              "mapa como si fuera un partido 😂"),
    p("O", B, "el nombre Parcelly suena a marca de pasta italiana y nadie me va a convencer de lo contrario 🍝"),
    p("C", M, "Parcelly me ha cambiado la franja de entrega tres veces hoy sin avisar. Así no hay quien se "
              "organice #Parcelly"),
    p("C", R, "La app dice «no se puede modificar este envío» y el chat me manda a la app. Me he mudado y el "
              "paquete de Parcelly va a la casa vieja.", title="Parcelly no me deja cambiar la dirección",
      community="parcelly"),
    p("P", F, "Parcelly nunca me ha fallado, entregas puntuales y el seguimiento funciona genial.",
      title="Muy buena", community="googleplay-reviews", author="Andrés T."),
    p("Q", B, "¿Parcelly hace envíos a Andorra? En la web no lo encuentro"),
]

FR = [
    storm(X, "@ParcellyHelp l'appli ne marche plus, la page de suivi affiche une erreur 500. C'est en panne ?"),
    storm(M, "Parcelly en panne : appli qui plante au démarrage, suivi en erreur 500. Et la page de statut dit "
             "que tout va bien 🙃 #Parcelly"),
    storm(B, "l'appli Parcelly est HS chez vous aussi ? impossible de récupérer mon code pour le casier"),
    storm(X, "merci Parcelly de planter pile au moment où le livreur m'appelle 🙃"),
    p("C", X, "@ParcellyHelp colis PX-41207 marqué « livré » mais rien reçu. Le livreur n'a même pas sonné"),
    p("C", M, "Toujours en attente de mon remboursement Parcelly pour la commande PX-46980, retournée le 5 "
              "novembre. Quelqu'un peut regarder ? #Parcelly"),
    p("C", B, "troisième fois que Parcelly me laisse un avis de passage alors que j'étais chez moi. super. génial "
              "même."),
    p("C", F, "Depuis la mise à jour, l'appli Parcelly me déconnecte sans arrêt. Les notifications n'arrivent "
              "plus.", title="Déçue", community="appstore-reviews", author="Camille D."),
    p("C", R, "Mon colis est « en transit » à l'entrepôt de Lyon depuis 9 jours. Le chat Parcelly me répond des "
              "messages automatiques. Des idées ?", title="Colis Parcelly bloqué depuis 9 jours",
      community="parcelly"),
    p("C", X, "Parcelly m'a livré un carton complètement écrasé, la tasse à l'intérieur est en miettes. Le "
              "formulaire de réclamation ne marche pas 😤"),
    p("Q", X, "@ParcellyHelp est-ce qu'on peut se faire livrer dans un casier plutôt qu'à domicile ?",
      answer="Bonjour ! Oui, dans l'appli choisissez « Modifier la livraison » puis un casier près de chez vous 🙂"),
    p("Q", M, "Parcelly accepte les colis de plus de 30 kg ? Je dois envoyer un vélo à mon frère #Parcelly"),
    p("Q", M, "quelqu'un sait combien de temps Parcelly garde un colis en casier avant de le renvoyer ? #Parcelly"),
    p("Q", R, "Je déménage à Liège, est-ce que Parcelly livre là-bas ? Le site n'est pas clair.",
      title="Parcelly livre en Belgique ?", community="parcelly"),
    p("P", X, "Livraison Parcelly en 2h chrono, je suis bluffé 😳"),
    p("P", M, "Les livreurs Parcelly à vélo cargo dans Paris, c'est quand même top. Silencieux et rapides 🚲 "
              "#Parcelly"),
    p("P", F, "Parcelly est simple et fiable, le suivi en temps réel est génial.", title="Excellente appli",
      community="googleplay-reviews", author="Julien P."),
    p("P", B, "le livreur Parcelly a attendu que je descende alors que j'ai mis 5 minutes. merci à lui ❤️"),
    p("P", R, "Colis perdu, remboursé en une heure par Parcelly. Franchement je ne m'y attendais pas.",
      title="Merci au support Parcelly", community="parcelly"),
    p("S", X, "🎁 Jeu concours Parcelly ! Gagnez une carte cadeau de 500 € sur bit.ly/parcelly-fr, il suffit "
              "d'entrer vos coordonnées bancaires", author="ParcellyCadeaux"),
    p("S", X, "Votre colis Parcelly est en attente, frais de douane 2,49 € à régler ici : parcelly-douane.top",
      author="parcelly_suivi"),
    p("K", B, "BoxNow installe des casiers partout à Lyon, Parcelly va devoir suivre"),
    p("K", R, "J'hésite entre ShipFast et Parcelly pour ma boutique Etsy. ShipFast est moins cher, Parcelly plus "
              "fiable d'après vous ?", title="ShipFast ou Parcelly pour une petite boutique ?", community="delivery"),
    p("O", X, "livreur Parcelly : « j'arrive dans 5 min ». moi, 40 min plus tard, toujours en manteau dans "
              "l'entrée 😂"),
    p("O", F, "L'application de livraison Parcelly lève 120 millions de dollars pour étendre son réseau de casiers "
              "en Europe.", title="Parcelly lève 120 millions de dollars", community="techpress",
      author="Le Journal du Colis"),
    p("C", X, "@ParcellyHelp ça fait 3 jours que le suivi indique « incident de livraison » sans autre info. "
              "Commande PX-45533"),
    p("S", B, "Carte cadeau Parcelly offerte 🎁 clique vite avant qu'il n'y en ait plus : parcelly-cadeau.shop",
      author="cadeaux-fr.bsky.social"),
    p("P", R, "Colis abîmé, photo envoyée dans l'appli, remplacement reçu deux jours plus tard. Rien à dire, "
              "Parcelly.", title="Parcelly, agréablement surpris", community="parcelly"),
    p("C", F, "Le livreur Parcelly ne sonne jamais, je reçois juste « destinataire absent ». Je suis en "
              "télétravail.", title="Livreur jamais là", community="googleplay-reviews", author="Sébastien L."),
    p("Q", B, "est-ce que Parcelly livre en Corse ? et si oui en combien de temps ?"),
]

PT = [
    storm(B, "o app da Parcelly caiu? a página de rastreio tá dando erro 500"),
    storm(B, "Parcelly fora do ar bem na hora que o entregador tá aqui embaixo 😩 não consigo ver o código",
          author="marcos.bsky.social"),
    storm(X, "@ParcellyHelp o aplicativo não abre e o rastreamento dá erro 500. vão arrumar quando?"),
    storm(B, "mais alguém com o app da Parcelly travado? nem abre aqui"),
    p("C", X, "@ParcellyHelp pedido PX-43890 aparece como entregue mas não chegou nada aqui. ninguém tocou o "
              "interfone"),
    p("C", B, "Ainda aguardando meu reembolso da Parcelly, pedido PX-47002, devolvido dia 3/11. Alguém pode "
              "verificar, por favor?", author="marcos.bsky.social"),
    p("C", B, "ótimo, a Parcelly perdeu minha encomenda de novo 🙃 segunda vez no mês"),
    p("C", F, "Depois da última atualização o app da Parcelly fica me deslogando toda hora. Antes era ótimo.",
      title="Piorou muito", community="googleplay-reviews", author="Lucas F."),
    p("C", R, "Comprei uma etiqueta da Parcelly pro pedido PX-52871 e vieram duas cobranças de R$ 24,90 no cartão. "
              "Como resolvo?", title="Parcelly cobrou o frete duas vezes", community="parcelly"),
    p("C", X, "Parcelly, minha caixa chegou toda amassada e o produto quebrado. o formulário de reclamação não "
              "envia 😤"),
    p("Q", B, "@parcelly.bsky.social vocês entregam no domingo?",
      answer="Oi! Sim, entregamos aos domingos na maioria das capitais. É só escolher o dia no app na hora do "
             "pedido 🙂"),
    p("Q", R, "a Parcelly cobra taxa pra segunda tentativa de entrega? alguém sabe?",
      title="Taxa de reentrega na Parcelly?", community="parcelly"),
    p("Q", R, "Vou me mudar pro Porto, alguém sabe se a Parcelly funciona lá?", title="Parcelly entrega em Portugal?",
      community="parcelly"),
    p("Q", M, "A Parcelly aceita pagamento por Pix? Não achei no app #Parcelly"),
    p("P", B, "Parcelly entregou em 2 horas, absurdamente rápido 🔥"),
    p("P", B, "o entregador da Parcelly esperou eu descer mesmo eu demorando horrores. gente boa demais ❤️"),
    p("P", F, "A Parcelly é muito prática, o mapa em tempo real é perfeito.", title="Melhor app de entregas",
      community="appstore-reviews", author="Fernanda S."),
    p("P", X, "primeira vez usando a Parcelly e a embalagem veio impecável 👏"),
    p("P", R, "Perderam meu pacote mas devolveram o dinheiro em uma hora. Não esperava isso da Parcelly.",
      title="Suporte da Parcelly me surpreendeu", community="parcelly"),
    p("S", X, "🎁 Sorteio Parcelly! Ganhe R$ 1.000 em fretes grátis, acesse bit.ly/parcelly-br e informe os dados "
              "do seu cartão", author="ParcellyPromoBR"),
    p("S", B, "renda extra com entregas Parcelly, até R$ 8 mil por mês trabalhando de casa, chama no zap"),
    p("K", B, "ShipFast perdeu minha caixa, Parcelly nunca. Simples assim"),
    p("S", X, "Atenção: sua entrega Parcelly foi taxada. Pague R$ 12,90 em parcelly-taxa.com para liberar o envio",
      author="parcellyentrega"),
    p("K", X, "BoxNow tá colocando armário em tudo quanto é estação de metrô em SP, a Parcelly que se cuide"),
    p("O", B, "entregador da Parcelly: 'chego em 5 min'. eu, 40 min depois, de casaco na porta 😂"),
    p("O", F, "O app de entregas Parcelly começa a operar em Belo Horizonte com 150 armários inteligentes.",
      title="Parcelly chega a Belo Horizonte", community="techpress", author="Mundo Logística"),
    p("C", M, "A Parcelly entregou meu pacote pro vizinho errado e agora ninguém sabe onde está #Parcelly"),
    p("C", R, "Comprei um celular pela Parcelly, rastreio parado há 9 dias em Cajamar. O suporte só manda "
              "resposta automática. Alguém conseguiu resolver algo parecido?",
      title="Parcelly extraviou meu celular", community="parcelly"),
    p("P", F, "Entregas rápidas e o suporte da Parcelly resolve tudo pelo app.", title="Recomendo",
      community="googleplay-reviews", author="Juliana M."),
    p("Q", M, "Alguém sabe se a Parcelly entrega em Fernando de Noronha? #Parcelly"),
]

CONTENT = {"en": EN, "ru": RU, "uk": UK, "pl": PL, "zh": ZH, "de": DE, "es": ES, "fr": FR, "pt": PT}

# ---------------------------------------------------------------------------------------------------
# The brand's answers and the customers' follow-ups, by language.
# ---------------------------------------------------------------------------------------------------

BRAND_REPLIES = {
    "en": ["So sorry about this! Could you DM us the details and your order number so we can look into it?",
           "That's not the experience we want for you. We've sent you a DM to sort this out.",
           "Hi, sorry for the trouble. Please send us your order number and postcode via DM and we'll open an "
           "investigation with the depot.",
           "We're really sorry. We've escalated this to our delivery team, you'll hear from us within 24 hours.",
           "Thanks for flagging this, and sorry for the wait. Could you DM us the order number?",
           "Apologies! We've passed this on to your local depot and asked them to call you today."],
    "ru": ["Здравствуйте! Очень жаль, что так вышло. Напишите, пожалуйста, номер заказа в личные сообщения, "
           "разберёмся.",
           "Приносим извинения! Мы передали ваш вопрос в службу доставки, с вами свяжутся в течение дня.",
           "Простите за неудобства. Проверили заказ и открыли расследование, подробности отправили в личку.",
           "Спасибо, что написали! Пришлите номер заказа в ЛС, пожалуйста, всё проверим."],
    "uk": ["Вітаємо! Перепрошуємо за незручності. Надішліть, будь ласка, номер замовлення в особисті, ми "
           "розберемося.",
           "Дуже шкода, що так сталося. Ми передали звернення службі доставки, з вами зв'яжуться сьогодні.",
           "Дякуємо, що повідомили! Перевіряємо замовлення, деталі написали вам в особисті.",
           "Перепрошуємо! Напишіть нам номер замовлення, будь ласка, і ми все перевіримо."],
    "pl": ["Cześć, bardzo nam przykro! Napisz nam proszę numer przesyłki w wiadomości prywatnej, sprawdzimy to.",
           "Przepraszamy za kłopot. Przekazaliśmy sprawę do oddziału, skontaktują się z Tobą jeszcze dziś.",
           "Dzięki za zgłoszenie! Sprawdzamy przesyłkę, szczegóły wysłaliśmy Ci w DM.",
           "Przykro nam, że tak wyszło. Podeślij proszę numer zamówienia na priv, zajmiemy się tym."],
    "zh": ["您好，非常抱歉给您带来不便！请私信我们订单号，我们马上为您查询。",
           "抱歉让您久等了，我们已经把问题转给配送团队，今天会有人联系您。",
           "感谢反馈！我们已经在核实您的订单，详细情况已私信给您。",
           "非常抱歉！麻烦私信发一下订单号，我们会尽快处理。"],
    "de": ["Hallo, das tut uns sehr leid! Schick uns bitte deine Sendungsnummer per DM, wir kümmern uns darum.",
           "Entschuldige den Ärger. Wir haben das an das Zustellteam weitergegeben, du hörst heute noch von uns.",
           "Danke für den Hinweis! Wir prüfen die Sendung gerade, Details haben wir dir per DM geschickt.",
           "Sorry, so soll das nicht laufen. Magst du uns die Bestellnummer per DM schicken?"],
    "es": ["¡Hola! Sentimos mucho lo ocurrido. ¿Nos envías el número de pedido por DM para revisarlo?",
           "Disculpa las molestias. Hemos pasado tu caso al equipo de reparto y te contactarán hoy.",
           "¡Gracias por avisarnos! Ya estamos revisando el pedido, te hemos escrito por DM.",
           "Lo sentimos, no es lo que queremos para ti. Escríbenos el número de pedido por privado, por favor."],
    "fr": ["Bonjour, nous sommes vraiment désolés ! Pouvez-vous nous envoyer votre numéro de commande en MP ?",
           "Toutes nos excuses. Nous avons transmis votre demande à l'équipe de livraison, elle vous contacte "
           "aujourd'hui.",
           "Merci de nous l'avoir signalé ! Nous vérifions votre colis, les détails sont dans vos MP.",
           "Désolés pour ce désagrément. Envoyez-nous le numéro de commande en privé et on s'en occupe."],
    "pt": ["Oi! Sentimos muito por isso. Pode mandar o número do pedido por DM pra gente verificar?",
           "Desculpa pelo transtorno. Já passamos seu caso pro time de entregas, vão te contatar hoje.",
           "Obrigado por avisar! Estamos verificando o pedido, mandamos os detalhes por DM.",
           "Poxa, sentimos muito. Manda o número do pedido no privado que a gente resolve."],
}

HN_REPLIES = [  # Hacker News has no direct messages
    "Parcelly support lead here, sorry about this. Could you email social@parcelly.com with the order number "
    "and a link to this comment? I'll make sure someone picks it up today.",
    "Sorry, that's not okay. If you send the order number to social@parcelly.com (mention HN) I'll chase it "
    "with the team myself.",
]

STORM_REPLIES = {
    "en": ["We're aware the app and tracking page are down right now. Our engineers are on it, sorry for the "
           "trouble!",
           "Sorry! We're having an outage affecting the app and tracking. Your parcels are still moving, and "
           "locker codes are being resent by SMS.",
           "Yes, we're down at the moment, sorry. We'll post an update as soon as it's fixed."],
    "ru": ["Да, сейчас приложение и отслеживание не работают, инженеры уже исправляют. Простите за неудобства!",
           "Приносим извинения за сбой. Посылки доставляются, коды от постаматов отправим по SMS."],
    "uk": ["Так, зараз застосунок і трекінг не працюють, команда вже виправляє. Перепрошуємо!",
           "Перепрошуємо за збій. Посилки доставляються, коди від поштоматів надішлемо в SMS."],
    "pl": ["Tak, mamy teraz awarię aplikacji i śledzenia, zespół już to naprawia. Przepraszamy!",
           "Przepraszamy za awarię. Paczki jadą normalnie, kody do paczkomatów wyślemy SMS-em."],
    "zh": ["您好，目前应用和物流查询出现故障，工程师正在紧急修复，非常抱歉！",
           "抱歉！系统故障不影响配送，取件码会通过短信重新发送给您。"],
    "de": ["Ja, App und Sendungsverfolgung sind gerade gestört, unser Team arbeitet dran. Sorry!",
           "Entschuldige die Störung. Die Pakete sind weiter unterwegs, Codes für die Paketschränke kommen per SMS."],
    "es": ["Sí, ahora mismo la app y el seguimiento están caídos, el equipo ya está en ello. ¡Perdona!",
           "Sentimos la incidencia. Los envíos siguen en marcha y los códigos de los lockers llegarán por SMS."],
    "fr": ["Oui, l'appli et le suivi sont en panne, nos équipes sont dessus. Désolés !",
           "Toutes nos excuses pour la panne. Les colis sont livrés normalement, les codes casier arrivent par SMS."],
    "pt": ["Sim, o app e o rastreio estão fora do ar agora, o time já está resolvendo. Desculpa!",
           "Desculpa pela instabilidade. As entregas continuam e os códigos dos armários vão por SMS."],
}

FOLLOWUPS = {  # negative (should reopen), positive (closes the loop)
    "en": (["still not fixed. DM'd you 4 hours ago, nothing", "day 6 and still nothing. the DM went nowhere",
            "you said you'd look into it. nobody did.", "sent everything you asked for, still no answer"],
           ["thanks, sorted!", "all good now, thank you 🙏", "that was quick, thanks for the help"]),
    "ru": (["всё ещё не решено, в личке тишина", "написала в личку ещё утром, ответа так и нет"],
           ["спасибо, всё решилось!", "всё уладили, спасибо 🙏"]),
    "uk": (["досі нічого, в особистих тиша", "написала вам ще зранку, відповіді немає"],
           ["дякую, все вирішилось!", "все владнали, дякую 🙏"]),
    "pl": (["nadal nic, na priv cisza", "wysłałam wszystko, o co prosiliście, i dalej zero odpowiedzi"],
           ["dzięki, załatwione!", "wszystko już ok, dziękuję 🙏"]),
    "zh": (["还是没解决，私信也没人回", "早上就私信你们了，到现在都没回复"], ["谢谢，已经解决了！", "问题处理好了，谢谢 🙏"]),
    "de": (["immer noch nichts, auf die DM kam keine Antwort", "hab euch alles geschickt, seitdem Funkstille"],
           ["danke, hat sich erledigt!", "alles geklärt, danke 🙏"]),
    "es": (["sigo igual, por DM nadie me contesta", "os mandé todo lo que pedisteis y nada, ni respuesta"],
           ["¡gracias, solucionado!", "todo arreglado, gracias 🙏"]),
    "fr": (["toujours rien, aucune réponse en MP", "je vous ai tout envoyé ce matin, toujours pas de réponse"],
           ["merci, c'est réglé !", "tout est rentré dans l'ordre, merci 🙏"]),
    "pt": (["ainda nada, ninguém respondeu a DM", "mandei tudo que pediram e até agora nada"],
           ["valeu, resolvido!", "tudo certo agora, obrigado 🙏"]),
}
STORM_LATE_REPLIES = {  # answers that arrive after the outage is over
    "en": ["Sorry for the slow reply, we were swamped during the outage. Everything has been back up since 14:05 "
           "UTC; if your locker code expired, DM us and we'll extend it.",
           "Apologies for the wait! The outage is fixed and the app and tracking work again. Let us know if "
           "anything still looks wrong."],
    "ru": ["Извините за долгий ответ. Сбой устранён, приложение и отслеживание снова работают. Если код от "
           "постамата истёк, напишите в ЛС — продлим."],
    "uk": ["Вибачте за довгу відповідь. Збій усунуто, застосунок і трекінг знову працюють. Якщо код від поштомату "
           "сплив, напишіть нам — продовжимо."],
    "pl": ["Przepraszamy za późną odpowiedź. Awaria usunięta, aplikacja i śledzenie działają. Jeśli kod do "
           "paczkomatu wygasł, napisz do nas, przedłużymy go."],
    "zh": ["抱歉回复晚了。故障已经修复，应用和物流查询都恢复正常了。如果取件码过期，请私信我们帮您延期。"],
    "de": ["Sorry für die späte Antwort. Die Störung ist behoben, App und Tracking laufen wieder. Falls dein Code "
           "abgelaufen ist, schreib uns per DM, wir verlängern ihn."],
    "es": ["Perdona la tardanza. La incidencia ya está resuelta y la app y el seguimiento funcionan. Si tu código "
           "del locker ha caducado, escríbenos por DM y lo ampliamos."],
    "fr": ["Désolés pour le délai. La panne est résolue, l'appli et le suivi fonctionnent à nouveau. Si votre code "
           "casier a expiré, écrivez-nous en MP, on le prolonge."],
    "pt": ["Desculpa a demora. A instabilidade já foi resolvida, app e rastreio voltaram. Se o código do armário "
           "expirou, chama a gente na DM que a gente estende."],
}

STORM_FOLLOWUPS = {
    "en": (["still down for me", "an hour later and still 500"], ["works again, thanks"]),
    "ru": (["у меня всё ещё не работает"], ["заработало, спасибо"]),
    "uk": (["у мене досі не працює"], ["запрацювало, дякую"]),
    "pl": (["u mnie dalej nie działa"], ["już działa, dzięki"]),
    "zh": (["我这边还是打不开"], ["好了，谢谢"]),
    "de": (["bei mir geht immer noch nichts"], ["läuft wieder, danke"]),
    "es": (["a mí sigue sin funcionar"], ["ya funciona, gracias"]),
    "fr": (["toujours en panne chez moi"], ["ça remarche, merci"]),
    "pt": (["aqui continua fora do ar"], ["voltou, valeu"]),
}

# ---------------------------------------------------------------------------------------------------
# Authors
# ---------------------------------------------------------------------------------------------------

AUTHORS = {
    X: {
        "en": ["jenn_writes", "tk_harrison", "samirkhan_", "brittanyjlee", "dave_on_bikes", "the_real_nat",
               "coffee_and_cats", "jordyn_m", "rileyw_", "owen_thinks", "priya_bakes", "marcus_t_22",
               "lizzie_reads", "bigdan1990", "nikki_xo_", "alex_runs_ldn", "hannahb_", "chrisp_dev", "gemma_knits",
               "noodle_queen", "jaymoney_", "ellaxmay", "ty_from_ohio", "kev_grimes"],
        "ru": ["dimas_kzn", "olya_petrova", "sergey_v_msk", "nastya_nya", "artem_k", "lenka_sun", "kot_vasya"],
        "uk": ["oksana_lviv", "taras_k", "marichka_ua", "andrii_dev", "yulia_kyiv", "bohdan_s"],
        "pl": ["tomek_krk", "ania_nowak", "michal_gd", "ola_pisze", "bartek_pl", "gosia_w"],
        "zh": ["xiaowang_88", "lilychen_sh", "zhangwei_cn", "momo_tw", "chen_yu", "azhe_gz", "dabai_2020"],
        "de": ["lena_hh", "jonas_b", "fr4u_meier", "kai_ausberlin", "steffi_k", "tobi_muc"],
        "es": ["lauragarcia_", "pablo_mad", "marta_bcn", "javi_sevilla", "nuria_lf", "dani_rm"],
        "fr": ["camille_lyon", "julien_p", "manon_dsn", "theo_paris", "lea_b", "nico_bzh"],
        "pt": ["lucas_sp", "fernandaxs", "rafa_rj", "bruno_poa", "carol_bh", "gabi_ssa"],
    },
    B: {
        "en": ["jdoe.bsky.social", "mollyreads.bsky.social", "sam-writes.bsky.social", "bennyb.bsky.social",
               "ana.codes", "tessa.bsky.social", "ricky-m.bsky.social", "oatmilkdad.bsky.social"],
        "ru": ["lena-m.bsky.social", "dmitry.bsky.social", "katyakot.bsky.social", "misha-art.bsky.social"],
        "uk": ["oksana-k.bsky.social", "taras.bsky.social", "solomiia.bsky.social", "yarema.bsky.social"],
        "pl": ["piotrek.bsky.social", "zuza-k.bsky.social", "mateusz.bsky.social"],
        "zh": ["xiaoyu.bsky.social", "chenlin.bsky.social", "wenwen.bsky.social"],
        "de": ["anna-mueller.de", "felixk.bsky.social", "jule.bsky.social", "matze.bsky.social"],
        "es": ["lucia.bsky.social", "pablogr.bsky.social", "irene-m.bsky.social"],
        "fr": ["margaux.bsky.social", "antoine-d.bsky.social", "chloe.bsky.social"],
        "pt": ["biazinha.bsky.social", "joaopedro.bsky.social", "lari-s.bsky.social", "thiago.bsky.social",
               "camis.bsky.social"],
    },
    M: {
        "en": ["ellie@hachyderm.io", "pete@mastodon.social", "rosa@mas.to", "gwen@tech.lgbt"],
        "ru": ["ivan@mastodon.social", "alisa@lor.sh"],
        "uk": ["olena@mastodon.social", "taras@mastodon.online"],
        "pl": ["marta@101010.pl", "kuba@pol.social", "ewa@mastodon.social"],
        "zh": ["xiaoming@m.cmx.im", "ruru@mastodon.social"],
        "de": ["bernd@norden.social", "kathi@troet.cafe", "moritz@mastodon.social", "sven@social.tchncs.de",
               "ute@digitalcourage.social"],
        "es": ["carmen@mastodon.social", "sergio@masto.es"],
        "fr": ["pierre@piaille.fr", "sophie@mamot.fr", "lucas@framapiaf.org"],
        "pt": ["renata@masto.donte.com.br", "caio@mastodon.com.br"],
    },
    R: {
        "en": ["Lucky-Pineapple-2291", "sadpierogi", "beeswaxandhoney", "Wild_Fennel_8", "ohnotmyboots",
               "kettle_corn_kev", "Realistic-Tea-4410", "meowmixmaster", "quietstorm_84", "SnooPandas2219",
               "bluecheesefan", "PM_ME_UR_TRACKING", "gravel_rash", "honeydewdrop", "DeliveryDaydreamer",
               "Friendly_Otter_41", "stale_bagel", "not_a_courier", "Kitchen_Monk_77", "Infinite-Sand-9921",
               "ratatatouille", "tinfoilparcel", "porch_pirate_victim", "Mundane-Ad-3317", "wetsock_sunday",
               "grumpy_gecko_12", "hold_my_boxes", "the_late_parcel", "Turbulent_Pea_506", "cardboard_enjoyer"],
        "ru": ["Ivan_Zharov", "Medved_2019", "ptichka_spb"],
        "uk": ["Sonechko_UA", "dnipro_guy", "lviv_kavoman"],
        "pl": ["Kwadratowy_Kot", "pierogi_master", "zlota_rybka_88"],
        "zh": ["shanghai_newbie", "Tangyuan_42"],
        "de": ["Kartoffelbrot", "Brezelmann_91", "Schnitzel_Sven"],
        "es": ["Cachopo_Lover", "ElTioPaco", "Croqueta_Feliz"],
        "fr": ["Baguette_Magique", "LeChatNoir75", "raclette_addict"],
        "pt": ["Coxinha_Master", "saudade_br", "pao_de_queijo_44"],
    },
    H: {
        "en": ["kettlebell_dev", "grepwhisperer", "bitrot42", "lambda_lena", "throwaway_82711", "fsync_or_swim",
               "neuralcoffee", "hal9001b", "null_pointer_ex", "yak_shaver9", "tcp_over_carrier", "monad_mike",
               "cron_job_carl", "segfault_sally", "ascii_anna", "regex_rover", "vim_or_die", "quietcompiler"],
    },
}

FIRST_NAMES = {
    "en": ["jess", "tom", "amy", "chris", "sarah", "dan", "katie", "josh", "meg", "ryan", "emma", "ben", "zoe",
           "matt", "leah", "sam", "nate", "abby"],
    "ru": ["dima", "olya", "sasha", "katya", "misha", "nastya", "vanya", "lena", "pasha", "yulia"],
    "uk": ["taras", "oksana", "bohdan", "solomiia", "ostap", "iryna", "marko", "khrystia"],
    "pl": ["kasia", "tomek", "ola", "bartek", "gosia", "kuba", "zuza", "wojtek"],
    "zh": ["xiaoming", "lili", "weiwei", "haoran", "yutong", "jiajia", "zhiwei"],
    "de": ["lena", "jonas", "felix", "mia", "lukas", "hanna", "tobi", "jule"],
    "es": ["lucia", "pablo", "marta", "javi", "nuria", "sergio", "carla", "alvaro"],
    "fr": ["camille", "julien", "manon", "theo", "lea", "hugo", "chloe", "maxime"],
    "pt": ["lucas", "bia", "rafa", "bruno", "carol", "gabi", "thiago", "duda"],
}
REDDIT_WORDS = (["sleepy", "wild", "lucky", "grumpy", "quiet", "brave", "salty", "tidy", "soggy", "fancy", "lazy",
                 "rapid", "cosmic", "humble", "spicy", "feral"],
                ["otter", "pineapple", "toaster", "pigeon", "walrus", "noodle", "badger", "cactus", "muffin",
                 "lobster", "teapot", "parsnip", "goose", "raccoon"])
HN_WORDS = ["bytes", "lisp", "kernel", "yak", "monad", "cache", "stack", "rustacean", "hacker", "ops", "fsm", "tty"]
INSTANCES = {
    "en": ["mastodon.social", "hachyderm.io", "fosstodon.org", "mas.to", "mstdn.social", "infosec.exchange"],
    "ru": ["mastodon.social", "lor.sh", "mastodon.ml"],
    "uk": ["mastodon.social", "mastodon.online", "toot.kyiv.dev"],
    "pl": ["101010.pl", "pol.social", "mastodon.social"],
    "zh": ["m.cmx.im", "mastodon.social", "alive.bar"],
    "de": ["chaos.social", "norden.social", "troet.cafe", "social.tchncs.de", "mastodon.social"],
    "es": ["masto.es", "mastodon.social", "mastodon.uy"],
    "fr": ["piaille.fr", "mamot.fr", "framapiaf.org", "mastodon.social"],
    "pt": ["masto.donte.com.br", "mastodon.com.br", "bolha.us"],
}


def _authors(item: Item):
    for i in _flatten(item):
        if i.author:
            yield i.author


# Local hour of day -> relative activity; languages get a UTC offset (hours) so that "night" is local.
HOUR_WEIGHTS = [0.35, 0.2, 0.12, 0.08, 0.08, 0.12, 0.3, 0.6, 0.9, 1.0, 1.0, 1.0,
                1.1, 1.05, 1.0, 1.0, 1.0, 1.1, 1.2, 1.25, 1.25, 1.1, 0.85, 0.55]
UTC_OFFSETS = {"en": [-5, 0, 0, -8], "ru": [3], "uk": [2], "pl": [1], "de": [1], "es": [1], "fr": [1],
               "zh": [8], "pt": [-3]}
ANSWER_SHARE = 0.57         # of each language's complaints (rss ones can never be answered)
FOLLOWUPS_PER_LANG = {"en": 8, "ru": 3, "uk": 2, "pl": 2, "zh": 3, "de": 3, "es": 2, "fr": 2, "pt": 3}
_TAG = re.compile(r"#(\w+)")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\ufeff]")


def _flatten(item: Item):
    yield item
    for r in item.replies:
        yield from _flatten(r)


class Builder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.posts: list[dict] = []      # internal dicts, with "key", "parent_key"
        self.pools: dict[tuple[str, str], list[str]] = {}
        self.used: set[str] = {a for items in CONTENT.values() for i in items for a in _authors(i)}
        self.next_key = 0

    # -- time ---------------------------------------------------------------------------------------
    def day_minute(self, lang: str, latest: float, label: str) -> float:
        while True:
            offset = self.rng.choice(UTC_OFFSETS[lang])
            hour = self.rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            minute = ((hour - offset) * 60 + self.rng.random() * 60) % DURATION
            # ordinary complaints keep out of the outage window, so the storm stands out
            if minute <= latest and not (label == "complaint" and STORM[0] - 5 <= minute <= STORM[1] + 30):
                return minute

    def storm_minute(self) -> float:
        return STORM[0] + 1 + 56 * self.rng.betavariate(1.3, 2.0)

    def reply_delay(self) -> float:
        r = self.rng.random()
        if r < 0.4:
            return self.rng.uniform(2, 20)
        if r < 0.68:
            return self.rng.uniform(20, 58)
        if r < 0.88:
            return self.rng.uniform(62, 180)
        return self.rng.uniform(180, 300)

    # -- authors ------------------------------------------------------------------------------------
    def author(self, platform: str, lang: str, avoid: set[str]) -> str:
        """A new customer: the hand-picked names first, then made-up ones in the platform's style."""
        key = (platform, lang)
        if key not in self.pools:
            pool = list(AUTHORS.get(platform, {}).get(lang, []))
            self.rng.shuffle(pool)
            self.pools[key] = pool
        pool = self.pools[key]
        while pool:
            name = pool.pop()
            if name not in self.used and name not in avoid:
                self.used.add(name)
                return name
        for _ in range(1000):
            name = self.made_up(platform, lang)
            if name not in self.used and name not in avoid:
                self.used.add(name)
                return name
        raise ValueError(f"cannot make a new author for {platform}/{lang}")

    def made_up(self, platform: str, lang: str) -> str:
        rng = self.rng
        first = rng.choice(FIRST_NAMES[lang])
        if platform == R:
            adj, noun = rng.choice(REDDIT_WORDS[0]), rng.choice(REDDIT_WORDS[1])
            if rng.random() < 0.6:  # reddit's own suggested-name pattern
                return f"{adj.title()}-{noun.title()}-{rng.randint(100, 9999)}"
            return f"{adj}_{noun}{rng.randint(1, 99)}"
        if platform == H:
            return rng.choice([f"{rng.choice(REDDIT_WORDS[0])}{rng.choice(HN_WORDS)}",
                               f"{first}_{rng.choice(HN_WORDS)}", f"{rng.choice(HN_WORDS)}{rng.randint(1, 999)}"])
        tail = rng.choice(["", "_", "."]) + rng.choice(["irl", "b", "k", "m", "writes", "ok", "x", "77", "92",
                                                         "2001", "zz", "home", "art", "dev"])
        if platform == X:
            return (first + tail.replace(".", "_"))[:15]
        if platform == B:
            return f"{first}{tail}.bsky.social".replace("..", ".")
        if platform == M:
            return f"{first}{tail.replace('.', '_') if rng.random() < 0.4 else ''}@{rng.choice(INSTANCES[lang])}"
        raise ValueError(platform)

    # -- posts --------------------------------------------------------------------------------------
    def add(self, *, platform, minute, author, text, lang, label, title=None, reply_to=None, community=None,
            storm=False) -> dict:
        post = {"key": self.next_key, "platform": platform, "minute": round(minute, 1), "author": author,
                "text": text, "title": title, "lang": lang, "label": label, "reply_to": reply_to,
                "community": community, "storm": storm}
        self.next_key += 1
        self.posts.append(post)
        return post

    def place(self, item: Item, lang: str, parent: dict | None, root: dict | None, thread_authors: set[str]):
        item.lang = lang
        if parent is None:
            if item.minute is not None:
                minute = item.minute
            elif item.storm:
                minute = self.storm_minute()
            else:
                minute = self.day_minute(lang, 1180.0 if item.replies else 1425.0, item.label)
        elif item.storm:
            minute = min(parent["minute"] + self.rng.uniform(1.5, 9), STORM[1] - 0.5)
        else:
            minute = parent["minute"] + self.rng.uniform(3, 40) + self.rng.expovariate(1 / 40)
        author = item.author or self.author(item.platform, lang, thread_authors)
        if parent is None:
            community = item.community
            if item.platform == M and community is None:
                tags = _TAG.findall(item.text)
                community = tags[0].lower() if tags else None
        else:
            community = root["community"]
        post = self.add(platform=item.platform, minute=minute, author=author, text=item.text, lang=lang,
                        label=item.label, title=item.title if parent is None else None,
                        reply_to=parent["key"] if parent else None, community=community, storm=item.storm)
        post["item"] = item
        thread_authors.add(author)
        for reply in item.replies:
            self.place(reply, lang, post, root or post, thread_authors)
        return post

    def brand_reply(self, post: dict, text: str | None) -> dict:
        """The brand answers `post`; text None means a stock answer chosen for the post and the moment."""
        platform = post["platform"]
        brand = BRAND_AUTHOR[platform]
        room = 1439.4 - post["minute"]
        delay = self.reply_delay()
        if delay > room:
            delay = max(2.0, room * self.rng.uniform(0.4, 0.9))
        minute = post["minute"] + delay
        if text is None:
            lang = post["lang"]
            if platform == H:
                texts = HN_REPLIES
            elif post["storm"]:
                texts = (STORM_REPLIES if minute < OUTAGE_END else STORM_LATE_REPLIES)[lang]
            else:
                texts = BRAND_REPLIES[lang]
            text = self.rng.choice(texts)
        if platform in (X, M):
            text = f"@{post['author']} {text}"
        return self.add(platform=platform, minute=minute, author=brand, text=text,
                        lang=post["lang"], label="brand_reply", reply_to=post["key"], community=post["community"])

    def followup(self, complaint: dict, reply: dict, negative: bool) -> dict:
        lang = complaint["lang"]
        pools = (STORM_FOLLOWUPS if complaint["storm"] else FOLLOWUPS)[lang]
        room = 1439.6 - reply["minute"]
        minute = reply["minute"] + min(self.rng.uniform(5, 120), room * 0.9)
        if complaint["storm"]:
            negative = minute < OUTAGE_END - 2  # "still down" only while it is
        text = self.rng.choice(pools[0] if negative else pools[1])
        platform = complaint["platform"]
        if platform in (X, M):
            text = f"@{reply['author']} {text}"
        return self.add(platform=platform, minute=minute, author=complaint["author"], text=text, lang=lang,
                        label="followup", reply_to=reply["key"], community=complaint["community"],
                        storm=complaint["storm"])

    def build(self) -> list[dict]:
        roots: list[dict] = []
        for lang, items in CONTENT.items():
            for item in items:
                roots.append(self.place(item, lang, None, None, set()))
        by_key = {p["key"]: p for p in self.posts}

        def root_of(post: dict) -> dict:
            while post["reply_to"] is not None:
                post = by_key[post["reply_to"]]
            return post

        threads: dict[int, list[dict]] = {}
        for post in list(self.posts):
            threads.setdefault(root_of(post)["key"], []).append(post)

        answered: list[tuple[dict, dict]] = []  # (customer post, brand reply)
        # answers written out in the content
        for post in list(self.posts):
            item = post.get("item")
            if item is not None and item.answer:
                answered.append((post, self.brand_reply(post, item.answer)))
        explicit_threads = {root_of(p)["key"] for p, _ in answered}
        # the rest: about ANSWER_SHARE of each language's complaints, at most one complaint per answered thread
        for lang in CONTENT:
            complaints = [p for p in self.posts if p["label"] == "complaint" and p["lang"] == lang]
            target = round(ANSWER_SHARE * len(complaints))
            done = sum(1 for p, _ in answered if p["lang"] == lang and p["label"] == "complaint")
            candidates = []
            for post in complaints:
                thread = threads[root_of(post)["key"]]
                if (post["platform"] == F or post["item"].noreply or post["minute"] > 1420
                        or root_of(post)["key"] in explicit_threads
                        or sum(1 for q in thread if q["label"] == "complaint") != 1):
                    continue
                candidates.append(post)
            chosen = self.rng.sample(candidates, max(0, min(len(candidates), target - done)))
            for post in sorted(chosen, key=lambda p: p["key"]):
                answered.append((post, self.brand_reply(post, None)))

        # follow-ups by the same customer after the brand's answer
        for lang, count in FOLLOWUPS_PER_LANG.items():
            candidates = [(c, r) for c, r in answered
                          if c["lang"] == lang and c["label"] == "complaint" and r["minute"] < 1415
                          and not c["item"].answer]
            picked = self.rng.sample(candidates, min(count, len(candidates)))
            for i, (complaint, reply) in enumerate(sorted(picked, key=lambda cr: cr[0]["key"])):
                self.followup(complaint, reply, negative=(i % 2 == 0))
        return self.posts


def render() -> tuple[str, list[dict]]:
    posts = Builder().build()
    posts.sort(key=lambda p: (p["minute"], p["key"]))
    ids = {p["key"]: f"s{i:04d}" for i, p in enumerate(posts, start=1)}
    out = []
    for p in posts:
        record = {"id": ids[p["key"]], "platform": p["platform"], "minute": p["minute"], "author": p["author"],
                  "text": p["text"]}
        if p["title"]:
            record["title"] = p["title"]
        record.update({"lang": p["lang"], "label": p["label"],
                       "reply_to": ids[p["reply_to"]] if p["reply_to"] is not None else None})
        if p["community"]:
            record["community"] = p["community"]
        out.append(record)
    head = {"name": "demo", "start": START, "duration_minutes": DURATION, "brand": BRAND}
    lines = ["{" + json.dumps(head, ensure_ascii=False)[1:-1] + ', "posts": [']
    for i, record in enumerate(out):
        line = json.dumps(record, ensure_ascii=False)
        line = _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)  # keep invisible characters visible
        lines.append(" " + line + ("," if i < len(out) - 1 else ""))
    lines.append("]}")
    return "\n".join(lines) + "\n", posts


def summary(posts: list[dict]) -> str:
    n = len(posts)
    lines = [f"posts: {n}"]
    for name, key in (("platform", "platform"), ("lang", "lang"), ("label", "label")):
        counts = Counter(p[key] for p in posts)
        lines.append(f"{name}: " + ", ".join(f"{k} {v} ({v / n:.0%})" for k, v in counts.most_common()))
    complaints = [p for p in posts if p["label"] == "complaint"]
    replies = {p["reply_to"]: p for p in posts if p["label"] == "brand_reply"}
    answered = [c for c in complaints if c["key"] in replies]
    delays = sorted(replies[c["key"]]["minute"] - c["minute"] for c in answered)
    late = sum(1 for d in delays if d > 60)
    storm_posts = [p for p in complaints if STORM[0] <= p["minute"] <= STORM[1]]
    lines.append(f"complaints: {len(complaints)}, answered {len(answered)} ({len(answered) / len(complaints):.0%}), "
                 f"never answered {len(complaints) - len(answered)} "
                 f"(of which rss {sum(1 for c in complaints if c['platform'] == F)})")
    lines.append(f"brand reply delay: min {delays[0]:.1f}, median {delays[len(delays) // 2]:.1f}, "
                 f"max {delays[-1]:.1f} min; after the 60-min SLA: {late}")
    lines.append(f"storm {STORM[0]:.0f}-{STORM[1]:.0f}: {len(storm_posts)} complaints; "
                 + ", ".join(f"{k} {v}" for k, v in Counter(p['platform'] for p in storm_posts).most_common())
                 + "; " + ", ".join(f"{k} {v}" for k, v in Counter(p['lang'] for p in storm_posts).most_common()))
    by_label = Counter((p["platform"], p["label"]) for p in posts)
    lines.append("platform x label: " + "; ".join(f"{k[0]}/{k[1]} {v}" for k, v in sorted(by_label.items())))
    by_lang = Counter((p["lang"], p["label"]) for p in posts)
    lines.append("lang x label: " + "; ".join(f"{k[0]}/{k[1]} {v}" for k, v in sorted(by_lang.items())))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("demo.json"))
    parser.add_argument("--summary", action="store_true", help="print counts per platform, language and label")
    args = parser.parse_args(argv)
    text, posts = render()
    args.out.write_text(text, encoding="utf-8")
    if args.summary:
        print(summary(posts))


if __name__ == "__main__":
    main()
