#!/usr/bin/python3
"""Builds assets/scene-objects.json: the curated list of objects the emoji-scene generator draws.

Run once (with Debian's /usr/bin/python3) after `scripts/setup.sh` has installed
fonts-noto-color-emoji, unicode-cldr-core, unicode-data and ruby-gemojione; the JSON is committed.

    /usr/bin/python3 scripts/make_scene_objects.py --out assets/scene-objects.json

Sources, joined on the code point:
  * the hand-picked table CURATED below: which emoji, and the short caption name, head noun,
    plural, colour attribute and category of each (docs/dataset.md gives the curation rules);
  * unicode-data's emoji-test.txt: the emoji's group/subgroup and its fully-qualified form;
  * CLDR's annotations/en.xml: the spoken name ("tts") and the keywords, from which the context
    keywords and the synonyms are filtered;
  * the Noto Color Emoji cmap: the emoji must be one cmap glyph (FreeType does not apply the GSUB
    ligatures that multi-code-point sequences need);
  * the ruby-gemojione PNG folder: the emoji must exist in the second art style too.
Any curated entry that fails a check stops the script with a message naming it.
"""
import argparse
import json
import os
import re
import struct
import sys
import xml.etree.ElementTree as ET

NOTO_FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
CLDR_ANNOTATIONS = "/usr/share/unicode/cldr/common/annotations/en.xml"
EMOJI_TEST = "/usr/share/unicode/emoji/emoji-test.txt"
EMOJIONE_PNG_DIR = "/usr/share/rubygems-integration/all/gems/gemojione-3.3.0/assets/png"

# code point | caption name | head noun (name without colour; "=" for same) | plural of the noun
# ("" for the regular English rule) | colour ("" for none) | category | synonyms (comma
# separated: CLDR keywords or spoken names that truly name the object, and a few common names
# CLDR lacks).
# The caption name is unique in the list; it carries the colour only where the colour is what
# tells two entries apart ("red apple" / "green apple"). A colour is given only where both art
# styles draw the object in that colour (checked on a sheet of every object in both styles).
# Left out after that check: objects the two styles draw as different things (EmojiOne's water
# pistol is a revolver, its clamp is not a clamp).
CURATED = """
1F412 | monkey | = | | | animal |
1F98D | gorilla | = | | | animal |
1F415 | dog | = | | | animal |
1F429 | poodle | = | | | animal |
1F43A | wolf | = | wolves | grey | animal |
1F98A | fox | = | | orange | animal |
1F408 | cat | = | | | animal |
1F981 | lion | = | | | animal |
1F405 | tiger | = | | | animal |
1F406 | leopard | = | | | animal |
1F40E | horse | = | | brown | animal |
1F984 | unicorn | = | | | animal |
1F98C | deer | = | deer | brown | animal |
1F402 | ox | = | oxen | | animal | bull
1F404 | cow | = | | | animal |
1F416 | pig | = | | pink | animal |
1F417 | boar | = | | brown | animal |
1F40F | ram | = | | | animal |
1F411 | sheep | = | sheep | white | animal | ewe
1F410 | goat | = | | | animal |
1F42A | camel | = | | | animal | dromedary
1F418 | elephant | = | | grey | animal |
1F98F | rhinoceros | = | rhinoceroses | grey | animal | rhino
1F401 | mouse | = | mice | grey | animal |
1F400 | rat | = | | | animal |
1F439 | hamster | = | | | animal |
1F407 | rabbit | = | | | animal | bunny
1F43F | chipmunk | = | | | animal |
1F987 | bat | = | | | animal |
1F43B | bear | = | | brown | animal |
1F428 | koala | = | | grey | animal |
1F43C | panda | = | | | animal |
1F983 | turkey | = | | | animal |
1F414 | chicken | = | | | animal | hen
1F413 | rooster | = | | | animal |
1F424 | chick | = | | yellow | animal | baby chick
1F426 | bird | = | | | animal |
1F427 | penguin | = | | | animal |
1F54A | dove | = | | white | animal |
1F985 | eagle | = | | | animal |
1F986 | duck | = | | | animal |
1F989 | owl | = | | | animal |
1F438 | frog | = | | green | animal |
1F40A | crocodile | = | | green | animal |
1F422 | turtle | = | | green | animal | tortoise
1F98E | lizard | = | | green | animal |
1F40D | snake | = | | green | animal | serpent
1F409 | dragon | = | | green | animal |
1F40B | whale | = | | blue | animal |
1F42C | dolphin | = | | blue | animal |
1F41F | fish | = | fish | | animal |
1F421 | blowfish | = | blowfish | | animal | pufferfish
1F988 | shark | = | | grey | animal |
1F419 | octopus | = | octopuses | | animal |
1F41A | shell | = | | | animal | seashell, spiral shell
1F40C | snail | = | | | animal |
1F98B | butterfly | = | | | animal |
1F41B | caterpillar | = | | green | animal | bug
1F41C | ant | = | | | animal |
1F41D | bee | = | | | animal | honeybee
1F41E | ladybug | = | | red | animal | ladybird, lady beetle
1F577 | spider | = | | | animal |
1F982 | scorpion | = | | | animal |
1F980 | crab | = | | red | animal |
1F990 | shrimp | = | shrimp | | animal | prawn
1F991 | squid | = | squid | | animal |
1F339 | rose | = | | red | plant |
1F33B | sunflower | = | | yellow | plant |
1F337 | tulip | = | | | plant |
1F33A | hibiscus | = | hibiscuses | | plant |
1F338 | cherry blossom | = | | pink | plant |
1F490 | bouquet | = | | | plant |
1F335 | cactus | = | cacti | green | plant |
1F334 | palm tree | = | | | plant | palm
1F332 | evergreen tree | = | | green | plant | fir tree, pine tree
1F333 | tree | = | | green | plant | deciduous tree
1F331 | seedling | = | | green | plant | sprout
1F33F | herb | = | | green | plant |
1F340 | clover | = | | green | plant | four-leaf clover, four leaf clover
1F341 | maple leaf | = | maple leaves | | plant |
1F344 | mushroom | = | | | plant | toadstool
1F347 | bunch of grapes | = | bunches of grapes | purple | food | grapes
1F348 | melon | = | | | food |
1F349 | watermelon | = | | | food |
1F34A | orange | = | | orange | food | tangerine
1F34B | lemon | = | | yellow | food |
1F34C | banana | = | | yellow | food |
1F34D | pineapple | = | | | food |
1F34E | red apple | apple | | red | food |
1F34F | green apple | apple | | green | food |
1F350 | pear | = | | | food |
1F351 | peach | = | | | food |
1F352 | pair of cherries | = | pairs of cherries | red | food | cherries
1F353 | strawberry | = | | red | food |
1F95D | kiwi | = | | | food | kiwi fruit
1F345 | tomato | = | tomatoes | red | food |
1F951 | avocado | = | | | food |
1F346 | eggplant | = | | purple | food | aubergine
1F954 | potato | = | potatoes | brown | food |
1F955 | carrot | = | | orange | food |
1F33D | corn cob | = | | | food | corn, maize, ear of corn
1F336 | chili pepper | = | | red | food | hot pepper, chilli
1F952 | cucumber | = | | green | food |
1F330 | chestnut | = | | brown | food |
1F95C | peanut | = | | | food |
1F35E | loaf of bread | = | loaves of bread | | food | bread, loaf
1F950 | croissant | = | | | food |
1F956 | baguette | = | | | food |
1F95E | stack of pancakes | = | stacks of pancakes | | food | pancakes
1F9C0 | cheese wedge | = | | yellow | food | cheese
1F357 | chicken leg | = | | | food | drumstick, poultry leg
1F354 | hamburger | = | | | food | burger
1F355 | pizza slice | = | | | food | pizza
1F32D | hot dog | = | | | food | hotdog, sausage
1F32E | taco | = | | | food |
1F32F | burrito | = | | | food |
1F95A | egg | = | | | food |
1F373 | frying pan | = | | | food | pan
1F957 | salad | = | | green | food | green salad
1F37F | bucket of popcorn | = | buckets of popcorn | | food | popcorn
1F371 | bento box | = | bento boxes | | food | bento
1F359 | rice ball | = | | | food | onigiri
1F35C | bowl of noodles | = | bowls of noodles | | food | noodles, ramen
1F35D | plate of spaghetti | = | plates of spaghetti | | food | spaghetti, pasta
1F366 | ice cream cone | = | | | food | ice cream
1F369 | doughnut | = | | | food | donut
1F36A | cookie | = | | brown | food |
1F382 | birthday cake | = | | | food | cake
1F370 | piece of cake | = | pieces of cake | | food | shortcake
1F36B | chocolate bar | = | | | food | chocolate
1F36C | candy | = | | | food | sweet
1F36D | lollipop | = | | | food |
1F36F | honey pot | = | | | food | honey
1F37C | baby bottle | = | | | drink |
1F95B | glass of milk | = | glasses of milk | white | drink | milk
2615 | cup of coffee | = | cups of coffee | | drink | coffee, hot beverage
1F375 | teacup | = | | | drink | tea
1F377 | wine glass | = | wine glasses | | drink | wine
1F378 | cocktail | = | | | drink | cocktail glass
1F37A | beer mug | = | | | drink | beer, mug
1F37E | bottle | = | | | drink | champagne
1F944 | spoon | = | | | household |
1F52A | knife | = | knives | | household | kitchen knife
1F682 | locomotive | = | | | vehicle | steam engine
1F684 | high-speed train | = | | | vehicle | bullet train
1F686 | train | = | | | vehicle |
1F68B | tram | = | | | vehicle | streetcar, tram car
1F68C | bus | = | buses | | vehicle |
1F690 | minibus | = | minibuses | | vehicle |
1F691 | ambulance | = | | white | vehicle |
1F692 | fire engine | = | | red | vehicle | fire truck
1F693 | police car | = | | | vehicle |
1F695 | taxi | = | | yellow | vehicle | cab
1F697 | car | = | | red | vehicle | automobile
1F69A | delivery truck | = | | | vehicle | van
1F69B | lorry | = | lorries | | vehicle | truck, articulated lorry
1F69C | tractor | = | | | vehicle |
1F3CE | racing car | = | | | vehicle |
1F3CD | motorcycle | = | | | vehicle | motorbike
1F6F5 | scooter | = | | | vehicle | motor scooter
1F6B2 | bicycle | = | | | vehicle | bike
26F5 | sailboat | = | | | vehicle | yacht
1F6F6 | canoe | = | | | vehicle |
1F6A4 | speedboat | = | | | vehicle | motorboat
1F6A2 | ship | = | | | vehicle |
2708 | airplane | = | | | vehicle | aeroplane, plane
1F681 | helicopter | = | | | vehicle |
1F680 | rocket | = | | | vehicle |
1F6F0 | satellite | = | | | vehicle |
1F6A0 | cable car | = | | | vehicle | gondola
2693 | anchor | = | | | tool |
26FA | tent | = | | | place |
1F3A1 | ferris wheel | = | | | place |
1F3E0 | house | = | | | place | home
1F3F0 | castle | = | | | place |
26F0 | mountain | = | | | place |
1F30B | volcano | = | volcanoes | | place |
1F30D | globe | = | | | place | earth, world
1F6A6 | traffic light | = | | | place |
1F6D1 | stop sign | = | | red | place |
26FD | fuel pump | = | | | place | gas pump, petrol pump
2600 | sun | = | | yellow | nature |
1F319 | crescent moon | = | | yellow | nature | moon
2B50 | star | = | | yellow | nature |
2601 | cloud | = | | | nature |
1F308 | rainbow | = | | | nature |
2744 | snowflake | = | | | nature |
2603 | snowman | = | snowmen | | nature |
1F525 | flame | = | | | nature | fire
1F4A7 | droplet | = | | blue | nature | drop
1F30A | wave | = | | blue | nature |
26A1 | lightning bolt | = | | yellow | nature | lightning
2604 | comet | = | | | nature |
2602 | umbrella | = | | | household |
1F383 | jack-o-lantern | = | jack-o-lanterns | orange | household | pumpkin
1F384 | christmas tree | = | | green | plant |
1F388 | balloon | = | | red | toy |
1F380 | ribbon | = | | | clothing | bow
1F381 | gift | = | | | household | present, wrapped gift
1F3AB | ticket | = | | | household |
1F3C6 | trophy | = | trophies | | sport | cup
1F3C5 | medal | = | | | sport | sports medal
26BD | soccer ball | = | | | sport | football
26BE | baseball | = | | white | sport |
1F3C0 | basketball | = | | orange | sport |
1F3D0 | volleyball | = | | | sport |
1F3C8 | american football | = | | brown | sport | rugby ball
1F3BE | tennis racket | = | | | sport | tennis, racquet, tennis racquet
1F3D3 | ping pong paddle | = | | | sport | table tennis
1F3F8 | badminton racket | = | | | sport | badminton, shuttlecock
1F94A | boxing glove | = | | red | sport |
26F8 | ice skate | = | | | sport | skate
1F3A3 | fishing rod | = | | | sport | fishing pole
1F3AF | dartboard | = | | | toy | target, bullseye
1F3B1 | billiard ball | = | | black | toy | pool ball, eight ball
1F52E | crystal ball | = | | | toy |
1F3AE | game controller | = | | | toy | video game, gamepad
1F579 | joystick | = | | | toy |
1F3B2 | die | = | dice | | toy | dice
1F0CF | playing card | = | | | toy | joker
1F3A8 | palette | = | | | household | artist palette
1F5BC | picture frame | = | | | household | framed picture, painting, picture
1F453 | pair of glasses | = | pairs of glasses | | clothing | glasses, eyeglasses
1F576 | pair of sunglasses | = | pairs of sunglasses | black | clothing | sunglasses
1F454 | necktie | = | | | clothing | tie
1F455 | t-shirt | = | | | clothing | shirt
1F456 | pair of jeans | = | pairs of jeans | blue | clothing | jeans, trousers
1F457 | dress | = | dresses | | clothing |
1F458 | kimono | = | | | clothing |
1F45B | purse | = | | | clothing |
1F45C | handbag | = | | | clothing | bag
1F392 | backpack | = | | | clothing | rucksack, school bag
1F45F | sneaker | = | | | clothing | running shoe, trainer
1F460 | high-heeled shoe | = | | red | clothing | high heel
1F462 | boot | = | | | clothing |
1F451 | crown | = | | | clothing |
1F3A9 | top hat | = | | black | clothing | hat
1F393 | graduation cap | = | | black | clothing | mortarboard
1F484 | lipstick | = | | | clothing |
1F48D | ring | = | | | clothing |
1F48E | gem | = | | | clothing | gem stone, jewel, diamond
1F514 | bell | = | | | household |
1F4E3 | megaphone | = | | | electronics |
1F3A4 | microphone | = | | | electronics | mic
1F4FB | radio | = | | | electronics |
1F3B7 | saxophone | = | | | instrument | sax
1F3B8 | guitar | = | | | instrument |
1F3B9 | piano keyboard | = | | | instrument | piano, musical keyboard
1F3BA | trumpet | = | | | instrument |
1F3BB | violin | = | | | instrument | fiddle
1F941 | drum | = | | | instrument |
1F4F1 | mobile phone | = | | | electronics | phone, cell phone, smartphone
260E | telephone | = | | | electronics |
1F4E0 | fax machine | = | | | electronics | fax
1F50B | battery | = | batteries | | electronics |
1F50C | plug | = | | | electronics | electric plug
1F4BB | laptop | = | | | electronics | computer
1F5A5 | desktop computer | = | | | electronics | monitor
1F5A8 | printer | = | | | electronics |
2328 | keyboard | = | | | electronics | computer keyboard
1F4BE | floppy disk | = | | | electronics | floppy
1F4BF | compact disc | = | | | electronics | cd, disc, optical disk
1F3A5 | movie camera | = | | | electronics | film camera
1F4FA | television | = | | | electronics | tv
1F4F7 | camera | = | | | electronics |
1F50D | magnifying glass | = | magnifying glasses | | tool |
1F56F | candle | = | | | household |
1F4A1 | light bulb | = | | yellow | household | bulb, lamp
1F526 | flashlight | = | | | tool | torch
1F3EE | lantern | = | | red | household | paper lantern
1F4D5 | red book | book | | red | office | closed book
1F4D7 | green book | book | | green | office |
1F4D8 | blue book | book | | blue | office |
1F4D9 | orange book | book | | orange | office |
1F4D6 | open book | = | | | office |
1F4DA | stack of books | = | stacks of books | | office | books
1F4D3 | notebook | = | | | office |
1F4DC | scroll | = | | | office |
1F4F0 | newspaper | = | | | office | paper
270F | pencil | = | | yellow | office |
1F58A | pen | = | | | office | ballpoint
1F58C | paintbrush | = | paintbrushes | | office | brush
1F58D | crayon | = | | | office |
1F4BC | briefcase | = | | | office |
1F4C1 | folder | = | | | office | file folder
1F4C5 | calendar | = | | | office |
1F4CB | clipboard | = | | | office |
1F4CC | pushpin | = | | red | office | pin, drawing pin
1F4CE | paperclip | = | | | office | paper clip
1F4CF | ruler | = | | | office | straight ruler
1F4D0 | set square | = | | | office | triangular ruler
2702 | pair of scissors | = | pairs of scissors | | office | scissors
1F5D1 | wastebasket | = | | | household | bin, trash can
2709 | envelope | = | | white | office | letter
1F4E6 | parcel | = | | brown | office | package
1F4EE | postbox | = | postboxes | red | place | mailbox
1F512 | padlock | = | | | household | lock
1F511 | key | = | | | household |
1F4B0 | money bag | = | | | household | moneybag
1F4B3 | credit card | = | | | household | bank card
1F489 | syringe | = | | | tool | needle
1F48A | pill | = | | | household | capsule, medicine
1F528 | hammer | = | | | tool |
26CF | pickaxe | = | | | tool | pick
1F527 | wrench | = | wrenches | | tool | spanner
2699 | gear | = | | grey | tool | cog, cogwheel
2696 | pair of scales | = | pairs of scales | | tool | scales, balance, balance scale
26D3 | chain | = | | grey | tool |
1F6E1 | shield | = | | | tool |
1F5E1 | dagger | = | | | tool |
1F3F9 | bow and arrow | = | bows and arrows | | tool |
1F4A3 | bomb | = | | black | tool |
1F52C | microscope | = | | | tool |
1F52D | telescope | = | | | tool |
1F4E1 | satellite dish | = | satellite dishes | | tool | antenna, satellite antenna
1F6AA | door | = | | brown | household |
1F6CF | bed | = | | | household |
1F6CB | couch | = | couches | | household | sofa
1F6BD | toilet | = | | | household |
1F6C1 | bathtub | = | | | household | bath
1F6D2 | shopping cart | = | | | household | trolley
231B | hourglass | = | hourglasses | | household |
23F0 | alarm clock | = | | | household | clock
231A | wristwatch | = | wristwatches | | clothing | watch
23F1 | stopwatch | = | stopwatches | | household |
1F321 | thermometer | = | | | household |
"""

# Keywords that say nothing about what the picture shows: astrology, grammar of the emoji name,
# and words naming the picture's style. Dropped from the context keywords.
NON_VISUAL_KEYWORDS = {
    "zodiac", "aries", "taurus", "capricorn", "pisces", "cancer", "scorpio", "sagittarius",
    "libra", "aquarius", "ophiuchus", "leo", "bearer", "face", "comic", "front-facing",
    "oncoming", "vehicle", "japanese", "mexican", "french", "european", "tool", "hocho",
    "tada", "wildcard", "personal", "pc", "molusc", "maze",
}

COLOUR_WORDS = {"red", "green", "blue", "yellow", "orange", "purple", "pink", "brown", "white",
                "black", "grey"}
CATEGORIES = {"animal", "plant", "food", "drink", "vehicle", "place", "nature", "sport", "toy",
              "clothing", "instrument", "electronics", "household", "office", "tool"}


def read_cmap(path):
    """Code points of the font's format-12 cmap (Noto Color Emoji has no other useful one)."""
    data = open(path, "rb").read()
    num_tables = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for i in range(num_tables):
        rec = data[12 + 16 * i: 28 + 16 * i]
        tables[rec[0:4].decode("latin-1")] = struct.unpack(">II", rec[8:16])
    base = tables["cmap"][0]
    num_sub = struct.unpack(">H", data[base + 2: base + 4])[0]
    points = set()
    for i in range(num_sub):
        _, _, off = struct.unpack(">HHI", data[base + 4 + 8 * i: base + 12 + 8 * i])
        sub = base + off
        if struct.unpack(">H", data[sub: sub + 2])[0] != 12:
            continue
        groups = struct.unpack(">I", data[sub + 12: sub + 16])[0]
        for g in range(groups):
            start, end, _ = struct.unpack(">III", data[sub + 16 + 12 * g: sub + 28 + 12 * g])
            points.update(range(start, end + 1))
    return points


def read_cldr(path):
    names, keywords = {}, {}
    for a in ET.parse(path).getroot().iter("annotation"):
        cp = a.get("cp")
        if a.get("type") == "tts":
            names[cp] = a.text.strip()
        else:
            keywords[cp] = [k.strip() for k in a.text.split("|") if k.strip()]
    return names, keywords


def read_emoji_test(path):
    """Single-code-point fully-qualified emoji -> (group, subgroup, qualified sequence)."""
    info, group, subgroup = {}, None, None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"# (group|subgroup): (.*)", line)
        if m:
            if m.group(1) == "group":
                group = m.group(2).strip()
            else:
                subgroup = m.group(2).strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        cps, rest = line.split(";", 1)
        if rest.split("#")[0].strip() != "fully-qualified":
            continue
        seq = [int(c, 16) for c in cps.split()]
        base = [c for c in seq if c != 0xFE0F]
        if len(base) == 1:
            info[base[0]] = (group, subgroup, seq)
    return info


def regular_plural(noun):
    words = noun.split(" ")
    last = words[-1]
    if re.search(r"(s|x|z|ch|sh)$", last):
        last += "es"
    elif re.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return " ".join(words[:-1] + [last])


def fail(msg):
    sys.exit("make_scene_objects: " + msg)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    cmap = read_cmap(NOTO_FONT)
    cldr_names, cldr_keywords = read_cldr(CLDR_ANNOTATIONS)
    emoji_info = read_emoji_test(EMOJI_TEST)
    emojione = set(os.listdir(EMOJIONE_PNG_DIR))

    rows = []
    for line in CURATED.strip().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) != 7:
            fail(f"curated row needs 7 cells: {line!r}")
        rows.append(cells)

    # Words of every caption name and noun: a keyword equal to another object's name is a
    # distractor hazard in context text, and a synonym must not name another object.
    all_names = {r[1] for r in rows} | {(r[1] if r[2] == "=" else r[2]) for r in rows}

    objects, seen = [], set()
    for cp_hex, name, noun, plural, colour, category, extra in rows:
        cp = int(cp_hex, 16)
        ch = chr(cp)
        where = f"{cp_hex} ({name})"
        if name in seen:
            fail(f"{where}: duplicate caption name")
        seen.add(name)
        if cp not in cmap:
            fail(f"{where}: not in the Noto Color Emoji cmap")
        if cp not in emoji_info:
            fail(f"{where}: not a single-code-point fully-qualified emoji in emoji-test.txt")
        png = f"{cp:04X}.png"
        if png not in emojione:
            fail(f"{where}: no EmojiOne image {png}")
        if ch not in cldr_names:
            fail(f"{where}: no CLDR annotation")
        if category not in CATEGORIES:
            fail(f"{where}: unknown category {category}")
        if colour and colour not in COLOUR_WORDS:
            fail(f"{where}: unknown colour {colour}")
        noun = name if noun == "=" else noun
        plural = plural or regular_plural(noun)
        group, subgroup, seq = emoji_info[cp]
        tts = cldr_names[ch]
        keywords_raw = cldr_keywords.get(ch, [])

        # Context keywords: CLDR's, lower-cased, without the object's own name words, the
        # non-visual ones, numbers, and any that are another object's caption name.
        name_words = set(noun.split()) | set(name.split()) | {tts}
        keywords = []
        for k in keywords_raw:
            kl = k.lower()
            if (kl in name_words or kl == tts.lower() or kl in NON_VISUAL_KEYWORDS or
                    re.search(r"[0-9*:]", kl) or kl in all_names or kl in COLOUR_WORDS or
                    kl in keywords):
                continue
            keywords.append(kl)

        # Synonyms: other words that name this very object in a caption, curated (the CLDR
        # keywords and spoken names that are true names, e.g. "bike", "aubergine", plus a few
        # common names CLDR lacks, e.g. "sofa"). Checked below never to name another entry.
        synonyms = []
        for s in (s.strip() for s in extra.split(",")):
            if not s or s in (name, noun) or s in synonyms:
                continue
            if s in all_names:
                fail(f"{where}: synonym '{s}' is another object's name")
            synonyms.append(s)

        objects.append({
            "name": name,
            "noun": noun,
            "plural": plural,
            "colour": colour or None,
            "category": category,
            "codepoints": [f"{c:04X}" for c in seq],
            "emoji": "".join(chr(c) for c in seq),
            "cldr_name": tts,
            "cldr_group": group,
            "cldr_subgroup": subgroup,
            "synonyms": synonyms,
            "keywords": keywords,
            "emojione_png": png,
        })

    owners = {}
    for o in objects:
        for s in o["synonyms"]:
            owners.setdefault(s, []).append(o["name"])
    shared = {s: names for s, names in owners.items() if len(names) > 1}
    if shared:
        fail(f"synonyms shared by several objects (ambiguous): {shared}")

    out = {
        "description": "Objects the emoji-scene generator draws; built by "
                       "scripts/make_scene_objects.py, documented in docs/dataset.md.",
        "sources": {
            "noto_font": NOTO_FONT,
            "emojione_png_dir": EMOJIONE_PNG_DIR,
            "cldr_annotations": CLDR_ANNOTATIONS,
            "emoji_test": EMOJI_TEST,
        },
        "objects": objects,
    }
    text = json.dumps(out, ensure_ascii=False, indent=1) + "\n"
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, args.out)
    print(f"make_scene_objects: {len(objects)} objects -> {args.out}")


if __name__ == "__main__":
    main()
