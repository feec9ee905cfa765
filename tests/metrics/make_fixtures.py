#!/usr/bin/python3
"""NLTK oracle for the caption-metric tests (tests/test_metrics.cpp).

Usage:  /usr/bin/python3 tests/metrics/make_fixtures.py --out DIR
(Debian's python3 with python3-nltk; the pyenv python3 first on PATH has no nltk.)

Writes DIR/metrics.json with reference values computed by NLTK itself, never by a
re-implementation here:
  bleu      corpora of tokenised (candidate, references) and
            nltk.translate.bleu_score.corpus_bleu with weights (1,), (1/2,)*2, (1/3,)*3,
            (1/4,)*4 and no smoothing (method0). Every candidate has >= 4 tokens: for shorter
            ones NLTK counts max(1, n-grams) per sentence where coco-caption (and Glimpse)
            count len - n + 1.
  meteor    (candidate, references) with nltk.translate.meteor_score.meteor_score, once with
            WordNet ("with_wordnet", null when wordnet-base is absent) and once with a WordNet
            that knows no synsets ("exact_stem").
  stems     word -> nltk.stem.porter.PorterStemmer().stem(word)
  synonyms  word -> the set meteor_score builds for a hypothesis word (only with WordNet).

WordNet: NLTK reads Debian's wordnet-base files (/usr/share/wordnet) but also wants a
`lexnames` file that the package lacks. It is built here from the lexnames(5WN) man page that
wordnet-base installs, into DIR/nltk_data/corpora/wordnet/ next to links to the package's
files, and NLTK is pointed at DIR/nltk_data only.
"""

import argparse
import gzip
import json
import os
import random
import re
import sys
import warnings

WORDNET_DIR = "/usr/share/wordnet"
LEXNAMES_MAN_PAGE = "/usr/share/man/man5/lexnames.5WN.gz"
WORDNET_FILES = [f"{kind}.{pos}" for kind in ("index", "data") for pos in ("noun", "verb", "adj", "adv")] + [
    f"{pos}.exc" for pos in ("noun", "verb", "adj", "adv")]
LEX_CATEGORY = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}


def lexnames_from_man_page():
    """Lines "NN<TAB>name<TAB>category" from the table in lexnames(5WN)."""
    with gzip.open(LEXNAMES_MAN_PAGE, "rt", encoding="utf-8", errors="replace") as f:
        text = f.read()
    lines = []
    for m in re.finditer(r"^(\d\d)\t\s*([a-z]+)\.(\w+)\s*\t", text, re.MULTILINE):
        number, category, rest = m.group(1), m.group(2), m.group(3)
        lines.append(f"{number}\t{category}.{rest}\t{LEX_CATEGORY[category]}")
    if len(lines) != 45 or [int(l.split("\t")[0]) for l in lines] != list(range(45)):
        raise SystemExit(f"make_fixtures: could not read the 45 lexicographer files from {LEXNAMES_MAN_PAGE}")
    return lines


def lexnames_from_data_files():
    """Fallback when the man page is not installed (images that drop /usr/share/man): the file
    numbers and categories used in the data files, with placeholder names. NLTK needs the names
    only for Synset.lexname(), which METEOR never calls."""
    used = {}
    for pos in ("noun", "verb", "adj", "adv"):
        with open(os.path.join(WORDNET_DIR, f"data.{pos}"), encoding="utf-8") as f:
            for line in f:
                if line.startswith(" "):
                    continue
                used.setdefault(int(line.split()[1]), LEX_CATEGORY[pos])
    return [f"{n:02d}\tlexfile{n:02d}\t{used.get(n, 1)}" for n in range(max(used) + 1)]


def prepare_nltk_wordnet(out_dir):
    """Returns the NLTK data folder holding wordnet, or None when wordnet-base is missing."""
    if not all(os.path.exists(os.path.join(WORDNET_DIR, f)) for f in WORDNET_FILES):
        return None
    data_dir = os.path.join(out_dir, "nltk_data")
    wn_dir = os.path.join(data_dir, "corpora", "wordnet")
    os.makedirs(wn_dir, exist_ok=True)
    for name in os.listdir(WORDNET_DIR):
        link = os.path.join(wn_dir, name)
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.join(WORDNET_DIR, name), link)
    if os.path.exists(LEXNAMES_MAN_PAGE):
        lines = lexnames_from_man_page()
    else:
        print("make_fixtures: lexnames(5WN) man page missing; numbering lexnames from data files")
        lines = lexnames_from_data_files()
    with open(os.path.join(wn_dir, "lexnames"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return data_dir


# ---- sentences ---------------------------------------------------------------------------------

# Words grouped into families of synonyms and inflections, so that random sentences exercise
# METEOR's stem and synonym stages as well as exact matches and BLEU's n-gram overlaps.
FAMILIES = [
    ["dog", "dogs", "puppy", "hound", "canine"],
    ["car", "cars", "automobile", "auto", "machine"],
    ["big", "large", "bigger", "huge", "great"],
    ["run", "runs", "running", "ran", "runner"],
    ["man", "men", "person", "guy", "human"],
    ["child", "children", "kid", "kids", "youngster"],
    ["grass", "lawn", "grassy", "sod"],
    ["picture", "photo", "photograph", "image", "pictures"],
    ["ride", "rides", "riding", "rode", "rider"],
    ["sit", "sits", "sitting", "sat", "seated"],
    ["walk", "walks", "walking", "walked", "walker"],
    ["street", "road", "streets", "roads"],
    ["beach", "shore", "seashore", "sand"],
    ["sea", "ocean", "water", "waters"],
    ["bike", "bicycle", "bikes", "cycle"],
    ["happy", "glad", "happily", "happier", "felicitous"],
    ["play", "plays", "playing", "played", "player"],
    ["small", "little", "tiny", "smaller", "smallest"],
    ["jump", "jumps", "jumping", "jumped", "leap"],
    ["woman", "women", "lady", "female"],
]
FILLERS = ["a", "an", "the", "two", "three", "on", "in", "at", "near", "with", "of", "and",
           "is", "are", "while", "its", "their", "red", "blue", "white", "black", "green",
           "ball", "frisbee", "horse", "park", "field", "building", "table", "food"]
VOCABULARY = sorted({w for fam in FAMILIES for w in fam} | set(FILLERS))
FAMILY_OF = {w: fam for fam in FAMILIES for w in fam}


def perturb(rng, base, swap_family):
    """A variant of `base`: some words replaced (by a family member or any word), dropped, or
    followed by an inserted word."""
    out = []
    for w in base:
        r = rng.random()
        if r < 0.08:
            continue
        if r < 0.16:
            out.append(rng.choice(VOCABULARY))
        elif r < 0.16 + swap_family and w in FAMILY_OF:
            out.append(rng.choice(FAMILY_OF[w]))
        else:
            out.append(w)
        if rng.random() < 0.08:
            out.append(rng.choice(VOCABULARY))
    return out


def random_sample(rng, swap_family, min_candidate_len):
    base = [rng.choice(VOCABULARY) for _ in range(rng.randint(4, 13))]
    while True:
        candidate = perturb(rng, base, swap_family)
        if len(candidate) >= min_candidate_len:
            break
    references = []
    for _ in range(rng.randint(1, 5)):
        ref = perturb(rng, base, swap_family)
        references.append(ref if ref else [rng.choice(VOCABULARY)])
    return candidate, references


def split(s):
    return s.split()


# Realistic captions, each with several references.
CAPTION_CORPUS = [
    ("a dog is running across the grass",
     ["a brown dog runs across a grassy field", "a dog running on the lawn",
      "the puppy is sprinting through the grass", "a dog plays outside on the grass"]),
    ("two men are riding horses on the beach",
     ["two people ride horses along the shore", "two men riding horses on a sandy beach",
      "a pair of riders on horseback at the seashore"]),
    ("a large car parked next to a building",
     ["a big automobile parked beside a building", "a car is parked near a tall building",
      "a red car parked on the street in front of a building"]),
    ("a child eating an ice cream cone",
     ["a kid eats an ice cream cone", "a little girl is eating ice cream",
      "a young child enjoying an ice cream"]),
    ("the children were playing soccer in the park",
     ["kids play soccer in a park", "children playing football on a field",
      "a group of children are playing a game of soccer in the park"]),
    ("a woman sitting on a bench reading a book",
     ["a lady sits on a bench and reads", "a woman reads a book while seated on a park bench",
      "a person sitting on a bench with a book"]),
    ("a bicycle leaning against a wall",
     ["a bike leans against a brick wall", "a bicycle is propped up against the wall"]),
    ("a cat sleeping on a couch",
     ["a cat is asleep on the sofa", "a kitten sleeps on a couch", "a grey cat naps on a couch"]),
]

METEOR_EXTRA = [
    # NLTK's own doctest example.
    (split("It is a guide to action which ensures that the military always obeys the commands of the party"),
     [split("It is a guide to action that ensures that the military will forever heed Party commands"),
      split("It is the guiding principle which guarantees the military forces always being under the command of the Party"),
      split("It is the practical guide for the army always to heed the directions of the party")]),
    (split("It is to insure the troops forever hearing the activity guidebook that party direct"),
     [split("It is a guide to action that ensures that the military will forever heed Party commands"),
      split("It is the guiding principle which guarantees the military forces always being under the command of the Party"),
      split("It is the practical guide for the army always to heed the directions of the party")]),
    (split("non matching hypothesis"), [split("this is a cat")]),
    ([], [split("a dog on the grass")]),                         # empty candidate
    (split("a dog on the grass"), [[], split("a dog")]),         # an empty reference
    (split("A Dog On The Grass"), [split("a dog on the grass")]),  # lowercased first
    (split("the the the the"), [split("the cat sat on the mat")]),
    (split("dogs dogs dog"), [split("dog dog dogs hound")]),
    (split("geese ran quickly"), [split("a goose runs quick")]),
    (split("the happiest kids were running"), [split("a happy child runs")]),
]


def stem_words(wordnet_dir_available):
    words = set(VOCABULARY)
    words.update("""caresses ponies ties caress cats feed agreed plastered bled motoring sing
    conflated troubled sized hopping tanned falling hissing fizzed failing filing happy sky
    relational conditional rational valenci hesitanci digitizer conformabli radicalli
    differentli vileli analogousli vietnamization predication operator feudalism decisiveness
    hopefulness callousness formaliti sensitiviti sensibiliti triplicate formative formalize
    electriciti electrical hopeful goodness revival allowance inference airliner gyroscopic
    adjustable defensible irritant replacement adjustment dependent adoption homologou
    communism activate angulariti homologous effective bowdlerize probate rate cease controll
    roll generously generalizations dying lying tying news innings inning outings canning
    cannings howe proceed exceed succeed skies spied died flies dies spy fly try enjoy
    enjoyment geology theology archaeology philology syzygy toy by ivy oats trees troubles
    private oaten orrery tr ee tree y yy yyy sayyy crying dryly fullness fulli hopefulli
    nationalli dreamily bowling sledding buzzed missed tries ties pies lied eed bleed speed
    succeeded aaa abcdefghij kayaking t-shirt 3d 1990s mr. it's don't Dying SKIES Running
    """.split())
    suffixes = ["s", "es", "ed", "ing", "ly", "ness", "ational", "ization", "fulness", "ousli",
                "alli", "logi", "bli", "iveness", "ement", "ance", "ence", "er", "ic", "able",
                "ible", "ant", "ism", "ate", "iti", "ous", "ive", "ize", "y", "ies", "ied",
                "eed", "sses", "ll", "e", "ful", "ical", "icate", "alize", "ator", "aliti"]
    bases = ["form", "relat", "hope", "nation", "happ", "generat", "cat", "stop", "fil", "tr",
             "conflat", "troubl", "siz", "ho", "geo", "theo", "pro", "sen", "sensibil", "a", "be"]
    words.update(b + s for b in bases for s in suffixes)
    if wordnet_dir_available:
        # A sample of WordNet's own vocabulary and of its irregular inflections.
        for pos in ("noun", "verb", "adj", "adv"):
            with open(os.path.join(WORDNET_DIR, f"index.{pos}"), encoding="utf-8") as f:
                lemmas = [l.split()[0] for l in f if not l.startswith(" ")]
            words.update(w for w in lemmas[::97] if "_" not in w)
            with open(os.path.join(WORDNET_DIR, f"{pos}.exc"), encoding="utf-8") as f:
                forms = [l.split()[0] for l in f if l.strip()]
            words.update(w for w in forms[::13] if "_" not in w)
    return sorted(words)


def synonym_words(stems):
    words = set(VOCABULARY) | set(stems.values())
    words.update("""ran geese better best women leaves boxes churches dishes flies stopped
    running hopping easier bigger happiest axes bases feet mice oxen were was is are has did
    went xyzzy s es men ing able happi quickli goe children seated""".split())
    with open(os.path.join(WORDNET_DIR, "index.verb"), encoding="utf-8") as f:
        lemmas = [l.split()[0] for l in f if not l.startswith(" ")]
    words.update(w for w in lemmas[::151] if "_" not in w)
    for pos in ("noun", "verb", "adj"):
        with open(os.path.join(WORDNET_DIR, f"{pos}.exc"), encoding="utf-8") as f:
            forms = [l.split()[0] for l in f if l.strip()]
        words.update(w for w in forms[::37] if "_" not in w)
    return sorted(words)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    nltk_data = prepare_nltk_wordnet(args.out)
    import nltk
    nltk.data.path[:] = [nltk_data] if nltk_data else []
    from nltk.corpus import wordnet
    from nltk.stem.porter import PorterStemmer
    from nltk.translate.bleu_score import corpus_bleu
    from nltk.translate.meteor_score import meteor_score

    warnings.simplefilter("ignore")  # NLTK warns on zero n-gram counts; that case is wanted
    rng = random.Random(20240607)
    fixtures = {"nltk_version": nltk.__version__, "wordnet": nltk_data is not None}

    # BLEU ---------------------------------------------------------------------------------
    weights = [(1.0,), (1 / 2,) * 2, (1 / 3,) * 3, (1 / 4,) * 4]
    corpora = [("captions", [(split(c), [split(r) for r in refs]) for c, refs in CAPTION_CORPUS]),
               ("nltk_doctest", [METEOR_EXTRA[0],
                                 (split("he read the book because he was interested in world history"),
                                  [split("he was interested in world history because he read the book")])]),
               ("no_4gram_match", [(split("a b c d e"), [split("a b c x d e")]),
                                   (split("f g h i"), [split("f g x h i")])]),
               ("closest_length_tie", [(split("a b c d e"), [split("a b c d"), split("a b c d e f")])]),
               ("longer_than_references", [(split("a dog runs on the green grass today"),
                                            [split("a dog runs"), split("dog on grass")])]),
               ("no_match", [(split("w x y z"), [split("a b c d")])])]
    for i in range(30):
        size = 1 + (i * 7) % 40
        corpora.append((f"random_{i}", [random_sample(rng, 0.1, 4) for _ in range(size)]))
    fixtures["bleu"] = []
    for name, corpus in corpora:
        hyps = [c for c, _ in corpus]
        refs = [r for _, r in corpus]
        expected = [float(corpus_bleu(refs, hyps, weights=w)) for w in weights]
        fixtures["bleu"].append({"name": name,
                                 "samples": [{"candidate": c, "references": r} for c, r in corpus],
                                 "expected": expected})

    # METEOR -------------------------------------------------------------------------------
    class NoSynsets:
        """A WordNet that knows no word: meteor_score then matches exact words and stems."""
        @staticmethod
        def synsets(_word):
            return []

    cases = [(split(c), [split(r) for r in refs]) for c, refs in CAPTION_CORPUS] + METEOR_EXTRA
    cases += [random_sample(rng, 0.35, 1) for _ in range(300)]
    fixtures["meteor"] = []
    for candidate, references in cases:
        entry = {"candidate": candidate, "references": references,
                 "exact_stem": meteor_score(references, candidate, wordnet=NoSynsets()),
                 "with_wordnet": meteor_score(references, candidate) if nltk_data else None}
        fixtures["meteor"].append(entry)

    # Porter stemmer and synonyms ---------------------------------------------------------------
    stemmer = PorterStemmer()
    stems = {w: stemmer.stem(w) for w in stem_words(nltk_data is not None)}
    fixtures["stems"] = stems
    if nltk_data:
        fixtures["synonyms"] = {
            w: sorted({lemma.name() for synset in wordnet.synsets(w) for lemma in synset.lemmas()
                       if lemma.name().find("_") < 0} | {w})
            for w in synonym_words(stems)}

    path = os.path.join(args.out, "metrics.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(fixtures, f, indent=0, ensure_ascii=False)
    os.replace(path + ".tmp", path)
    print(f"make_fixtures: wrote {path}: {len(fixtures['bleu'])} BLEU corpora, "
          f"{len(fixtures['meteor'])} METEOR cases, {len(stems)} stems, "
          f"{len(fixtures.get('synonyms', {}))} synonym sets (WordNet: {fixtures['wordnet']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
