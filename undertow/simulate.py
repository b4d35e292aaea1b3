"""A synthetic stream of social posts with planted campaigns and ground truth.

Two rival brands (Xiaomi, with its phones and the SU7 car, and Apple) are
discussed on Twitter, Weibo and Bilibili in Chinese, English and German.
Organic accounts post their own opinions with heavy-tailed activity and a daily
rhythm; planted campaigns (copy-paste, light rewrites, link pushing, hashtag
flooding, reply raids, repost rings, danmaku floods) praise one brand or attack
the other; one organic outrage burst (many real, angry, independent voices)
shows what coordination is *not*. Everything is decided by ``seed``.

Texts are composed from templates and vocabulary with NumPy-drawn random bytes,
so a million posts take seconds. Reposts carry their platform's usual text
(``RT @name: …`` on Twitter, often just ``转发微博`` on Weibo), so detectors of
copied text should look at ``repost_of_post_id`` first.

Example:
    >>> sim = simulate(3000, seed=1)
    >>> len(sim), sorted(sim.posts[0])[:3]
    (3000, ['author_id', 'author_name', 'created_at'])
    >>> {c["kind"] for c in sim.truth["campaigns"]} >= {"copy_paste", "repost_ring"}
    True
"""

from __future__ import annotations

import csv
import gzip
import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol, TextIO

import numpy as np
import orjson

from undertow.entities import extract_urls

#: Keys of every post dict, in order.
POST_FIELDS = ("platform", "post_id", "author_id", "author_name", "created_at", "text", "lang",
               "reply_to_post_id", "repost_of_post_id", "thread_id")
#: Header of the coordination-network-toolkit CSV (``.cnt.csv``).
CNT_FIELDS = ("message_id", "user_id", "username", "repost_id", "reply_id", "message",
              "timestamp", "urls")
KINDS = ("copy_paste", "light_rewrite", "link_push", "hashtag_flood", "reply_raid",
         "repost_ring", "danmaku_flood")
LANGS = ("zh", "en", "de")
PLATFORMS = ("twitter", "weibo", "bilibili")
BRANDS = ("Xiaomi", "Apple")
SENTIMENTS = ("positive", "neutral", "negative")
ASPECTS = ("battery", "screen", "camera", "price", "safety", "delivery", "design", "software",
           "driving_assistance", "heat", "service")
SOURCES = ("organic", "cover", "campaign", "outrage")
STANCES = ("praise", "attack")
#: Where a simulation starts when no ``start`` is given (a Monday, 00:00 UTC).
DEFAULT_START = datetime(2025, 3, 24, tzinfo=UTC)

ZH, EN, DE = 0, 1, 2
TW, WB, BL = 0, 1, 2
XIAOMI, APPLE = 0, 1
POS, NEU, NEG = 0, 1, 2
PRAISE, ATTACK = 0, 1
NONE, REPLY, REPOST = 0, 1, 2
SRC_ORGANIC, SRC_COVER, SRC_CAMPAIGN, SRC_OUTRAGE = 0, 1, 2, 3
CP, LR, LP, HF, RR, RG, DF = range(7)
_A = {name: i for i, name in enumerate(ASPECTS)}
#: Products are keyed 0 = Xiaomi phone, 1 = Xiaomi car (SU7), 2 = Apple phone.
_PHONE_ASPECTS = tuple(_A[a] for a in ("battery", "screen", "camera", "price", "design",
                                       "software", "heat", "service", "delivery"))
_CAR_ASPECTS = tuple(_A[a] for a in ("battery", "screen", "price", "safety", "delivery",
                                     "design", "software", "driving_assistance", "service"))
_K = 28  # random bytes per post
_TW_EPOCH_MS = 1_288_834_974_657
_KMS = ("300", "800", "1,200", "2,500", "5,000", "12,000", "20,000")
#: Relative posting activity per local hour (0-23).
_RHYTHM = np.array([0.9, 0.5, 0.3, 0.2, 0.15, 0.2, 0.4, 0.8, 1.1, 1.2, 1.2, 1.3, 1.5, 1.3, 1.2,
                    1.2, 1.2, 1.3, 1.5, 1.7, 1.9, 2.0, 1.8, 1.4])

# --- vocabulary -------------------------------------------------------------------------

_PRODUCTS = {
    ZH: (("小米15", "小米15 Pro", "小米14 Ultra", "Redmi K80", "Redmi Note 14", "小米手机",
          "红米K80 Pro"),
         ("SU7", "小米SU7", "SU7 Max", "SU7 Ultra", "小米汽车", "SU7 Pro"),
         ("iPhone 16", "iPhone 16 Pro", "iPhone 16 Pro Max", "苹果手机", "iPhone 15", "iPhone",
          "果子16")),
    EN: (("Xiaomi 15", "Xiaomi 15 Pro", "Xiaomi 14 Ultra", "Redmi Note 14", "Redmi K80",
          "Xiaomi phone"),
         ("SU7", "Xiaomi SU7", "SU7 Max", "SU7 Ultra", "Xiaomi EV", "SU7 Pro"),
         ("iPhone 16", "iPhone 16 Pro", "iPhone 16 Pro Max", "iPhone 15", "iPhone",
          "new iPhone")),
    DE: (("Xiaomi 15", "Xiaomi 15 Pro", "Xiaomi 14 Ultra", "Redmi Note 14", "Xiaomi-Handy"),
         ("SU7", "Xiaomi SU7", "SU7 Max", "SU7 Ultra", "Xiaomi-E-Auto"),
         ("iPhone 16", "iPhone 16 Pro", "iPhone 16 Pro Max", "iPhone 15", "iPhone")),
}
_CAR_RIVALS = {ZH: ("特斯拉Model 3", "Model Y", "比亚迪海豹", "极氪001", "小鹏P7"),
               EN: ("Tesla Model 3", "Model Y", "BYD Seal", "Zeekr 001", "Xpeng P7"),
               DE: ("Tesla Model 3", "Model Y", "BYD Seal", "VW ID.3", "BMW i4")}
_BRAND_NAMES = {ZH: ("小米", "苹果"), EN: ("Xiaomi", "Apple"), DE: ("Xiaomi", "Apple")}

# aspect -> (phone terms, car terms)
_TERMS: dict[int, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    EN: {
        "battery": (("battery", "battery life"), ("range", "battery", "charging speed")),
        "screen": (("screen", "display"), ("center screen", "infotainment display")),
        "camera": (("camera", "night mode", "zoom lens", "selfie camera"), ()),
        "price": (("price", "pricing", "price tag"), ("price", "pricing", "price tag")),
        "safety": ((), ("safety", "braking", "crash safety")),
        "delivery": (("delivery", "shipping"), ("delivery time", "delivery")),
        "design": (("design", "build quality", "look"), ("design", "interior", "build quality")),
        "software": (("software", "latest update"), ("software", "OTA update", "app")),
        "driving_assistance": ((), ("driver assist", "highway NOA", "lane keeping",
                                    "self-parking")),
        "heat": (("heat", "thermals", "overheating"), ()),
        "service": (("customer service", "after-sales service", "support"),
                    ("customer service", "after-sales service", "service center")),
    },
    ZH: {
        "battery": (("续航", "电池", "充电速度"), ("续航", "电池", "充电速度", "冬季续航")),
        "screen": (("屏幕", "屏幕素质", "显示效果"), ("中控屏", "大屏", "车机屏幕")),
        "camera": (("相机", "拍照", "夜景", "长焦", "影像"), ()),
        "price": (("价格", "定价", "性价比"), ("价格", "定价", "性价比", "落地价")),
        "safety": ((), ("安全", "安全性", "刹车", "车身结构")),
        "delivery": (("发货", "物流", "到货速度"), ("交付", "提车速度", "交付周期")),
        "design": (("设计", "外观", "做工", "手感"), ("设计", "外观", "内饰", "做工")),
        "software": (("系统", "软件", "系统更新"), ("车机系统", "OTA", "软件")),
        "driving_assistance": ((), ("智驾", "辅助驾驶", "高速NOA", "自动泊车")),
        "heat": (("发热", "发烫", "散热"), ()),
        "service": (("售后", "客服", "服务"), ("售后", "服务", "门店服务")),
    },
    DE: {
        "battery": (("der Akku", "die Akkulaufzeit"),
                    ("die Reichweite", "der Akku", "die Ladegeschwindigkeit")),
        "screen": (("das Display", "der Bildschirm"), ("das Zentraldisplay", "der Bildschirm")),
        "camera": (("die Kamera", "der Nachtmodus", "das Teleobjektiv"), ()),
        "price": (("der Preis", "das Preis-Leistungs-Verhältnis"),
                  ("der Preis", "das Preis-Leistungs-Verhältnis")),
        "safety": ((), ("die Sicherheit", "die Bremse", "die Crashsicherheit")),
        "delivery": (("die Lieferung", "der Versand"), ("die Lieferzeit", "die Auslieferung")),
        "design": (("das Design", "die Verarbeitung"),
                   ("das Design", "der Innenraum", "die Verarbeitung")),
        "software": (("die Software", "das letzte Update"), ("die Software", "das OTA-Update")),
        "driving_assistance": ((), ("der Fahrassistent", "der Autobahnassistent",
                                    "der Spurhalteassistent", "der Parkassistent")),
        "heat": (("die Hitzeentwicklung", "die Wärmeentwicklung"), ()),
        "service": (("der Kundenservice", "der Service", "der Support"),
                    ("der Kundenservice", "der Service", "die Werkstatt")),
    },
}

_PREDS = {
    EN: (("is amazing", "is honestly great", "is way better than I expected", "is a huge upgrade",
          "is top tier", "is just perfect", "is really impressive", "is excellent",
          "is the best I've had", "is super solid", "is insanely good", "is a game changer"),
         ("is okay I guess", "is fine, nothing special", "is about what you'd expect",
          "is decent", "is average", "is similar to last year", "is neither great nor terrible",
          "is alright", "is pretty standard", "is fine for now"),
         ("is a joke", "is terrible", "is a huge letdown", "is so disappointing",
          "is a total mess", "is overrated", "is honestly bad", "is not worth it",
          "has been a nightmare", "is garbage", "is embarrassing", "is a step backwards")),
    ZH: (("真的很强", "太顶了", "没得说", "吊打同价位", "超出预期", "很能打", "非常稳", "绝了",
          "yyds", "真香", "比上一代好太多", "挺惊艳的", "无可挑剔", "可以说是天花板"),
         ("还行吧", "中规中矩", "一般般", "没什么惊喜", "跟宣传差不多", "凑合用", "不好不坏",
          "正常水平", "和上代区别不大", "算及格吧"),
         ("太拉胯了", "一言难尽", "真的垃圾", "让人失望", "翻车了", "槽点太多", "劝退", "差评",
          "拉了", "不如上一代", "根本不行", "太离谱了", "简直是灾难")),
    DE: (("ist der Hammer", "ist echt top", "ist richtig gut", "überzeugt total",
          "ist besser als erwartet", "ist ein Traum", "ist spitze", "ist mega", "haut mich um",
          "ist erstklassig", "ist einfach genial"),
         ("ist okay", "ist ganz solide", "ist Durchschnitt", "ist in Ordnung",
          "ist weder gut noch schlecht", "ist wie erwartet", "ist nichts Besonderes",
          "passt schon"),
         ("ist eine Katastrophe", "ist echt mies", "enttäuscht total", "ist ein Witz",
          "ist schlechter als beim Vorgänger", "nervt nur noch", "ist Schrott", "ist peinlich",
          "ist ein Rückschritt", "ist unterirdisch")),
}

# (aspect, sentiment) -> predicates that only fit that aspect
_ASPECT_PREDS: dict[int, dict[tuple[str, int], tuple[str, ...]]] = {
    EN: {
        ("battery", POS): ("easily lasts all day", "barely drops overnight",
                           "charges crazy fast"),
        ("battery", NEG): ("drains way too fast", "dies before lunch", "loses 20% overnight"),
        ("screen", POS): ("is super bright and crisp", "looks gorgeous outdoors"),
        ("screen", NEG): ("has a weird green tint", "is way too dim outside"),
        ("camera", POS): ("takes stunning night shots", "nails skin tones"),
        ("camera", NEG): ("struggles in low light", "oversharpens everything"),
        ("price", POS): ("is a steal", "is unbeatable for what you get"),
        ("price", NEG): ("is ridiculous", "is pure greed"),
        ("safety", POS): ("makes me feel really safe", "scored great in the crash test"),
        ("safety", NEG): ("scares me", "feels sketchy at highway speed"),
        ("delivery", POS): ("was faster than promised", "took only a few days"),
        ("delivery", NEG): ("keeps getting delayed", "took forever"),
        ("design", POS): ("looks absolutely stunning", "feels premium"),
        ("design", NEG): ("looks cheap", "feels plasticky"),
        ("software", POS): ("is buttery smooth", "keeps getting better with every update"),
        ("software", NEG): ("is buggy as hell", "crashes all the time"),
        ("driving_assistance", POS): ("handles highway traffic like a pro",
                                      "is smoother than Tesla's"),
        ("driving_assistance", NEG): ("brakes for no reason", "disengages way too late"),
        ("heat", POS): ("stays cool even while gaming",),
        ("heat", NEG): ("gets hot enough to fry an egg", "throttles after ten minutes"),
        ("service", POS): ("sorted my issue in a day", "was super friendly"),
        ("service", NEG): ("ignored me for weeks", "is useless"),
    },
    ZH: {
        ("battery", POS): ("一天一充完全够用", "重度使用也能撑一整天", "充电速度飞快"),
        ("battery", NEG): ("掉电太快了", "半天就没电", "冬天直接腰斩"),
        ("screen", POS): ("看着特别舒服", "亮度很高，户外也清楚"),
        ("screen", NEG): ("有点偏绿", "烧屏了"),
        ("camera", POS): ("夜景拍得太清楚了", "人像很自然"),
        ("camera", NEG): ("暗光下糊成一片", "涂抹感太重"),
        ("price", POS): ("太良心了", "闭眼冲"),
        ("price", NEG): ("贵得离谱", "纯纯智商税"),
        ("safety", POS): ("让人很安心", "碰撞测试成绩很好"),
        ("safety", NEG): ("让人心里发毛", "高速上不敢全信"),
        ("delivery", POS): ("比预期快多了", "一周就到手了"),
        ("delivery", NEG): ("一拖再拖", "等了半年还没消息"),
        ("design", POS): ("颜值太高了", "质感拉满"),
        ("design", NEG): ("塑料感很重", "丑得不行"),
        ("software", POS): ("流畅得不像话", "每次更新都有惊喜"),
        ("software", NEG): ("bug一堆", "动不动就卡死"),
        ("driving_assistance", POS): ("高速上开得很稳", "比人开得还顺"),
        ("driving_assistance", NEG): ("经常莫名其妙急刹", "接管提示太晚了"),
        ("heat", POS): ("打游戏也不烫",),
        ("heat", NEG): ("烫得能煎鸡蛋", "玩十分钟就降频"),
        ("service", POS): ("一天就帮我解决了", "态度特别好"),
        ("service", NEG): ("爱答不理", "一直踢皮球"),
    },
    DE: {
        ("battery", POS): ("hält locker den ganzen Tag", "lädt unglaublich schnell"),
        ("battery", NEG): ("ist mittags schon leer", "bricht im Winter völlig ein"),
        ("screen", POS): ("ist super hell und scharf",),
        ("screen", NEG): ("hat einen Grünstich",),
        ("camera", POS): ("macht fantastische Nachtfotos",),
        ("camera", NEG): ("versagt bei wenig Licht",),
        ("price", POS): ("ist ein Schnäppchen",),
        ("price", NEG): ("ist völlig überzogen", "ist pure Abzocke"),
        ("safety", POS): ("gibt mir ein sicheres Gefühl",),
        ("safety", NEG): ("macht mir Angst",),
        ("delivery", POS): ("ging schneller als versprochen",),
        ("delivery", NEG): ("verzögert sich ständig",),
        ("design", POS): ("sieht edel aus",),
        ("design", NEG): ("wirkt billig",),
        ("software", POS): ("läuft butterweich",),
        ("software", NEG): ("ist total verbuggt", "stürzt dauernd ab"),
        ("driving_assistance", POS): ("fährt auf der Autobahn wie ein Profi",),
        ("driving_assistance", NEG): ("bremst grundlos ab", "schaltet sich viel zu spät ab"),
        ("heat", POS): ("bleibt auch beim Zocken kühl",),
        ("heat", NEG): ("wird beim Zocken glühend heiß",),
        ("service", POS): ("hat mein Problem an einem Tag gelöst",),
        ("service", NEG): ("meldet sich seit Wochen nicht",),
    },
}

# templates: (any product, phone only, car only)
_TEMPLATES = {
    EN: (("The {a} on the {p} {q}.", "{A} on my {p} {q}", "Honestly the {a} of the {p} {q}",
          "Been using the {p} for {n} {u} and the {a} {q}.",
          "{p} review after {n} {u}: the {a} {q}", "Not gonna lie, the {a} on the {p} {q}",
          "Hot take: the {p} {a} {q}", "Just picked up the {p}. The {a} {q}!",
          "My friend's {p}: {a} {q}", "Can confirm the {a} on the {p} {q}",
          "So the {a} on the {p} {q}. Thoughts?", "Day {n} with the {p} and the {a} {q}",
          "Switched to the {p} last month. {A} {q}.", "{n} {u} in, the {a} of my {p} {q}"),
         ("Upgraded from my old phone to the {p}, the {a} {q}",
          "Took the {p} on a trip, {a} {q}"),
         ("Test drove the {p} today, the {a} {q}", "Picked up my {p} last week. The {a} {q}",
          "{km} km in the {p} so far and the {a} {q}")),
    ZH: (("{p}的{a}{q}", "用了{n}{u}{p}，{a}{q}", "说实话，{p}的{a}{q}", "刚入手{p}，{a}{q}",
          "朋友的{p}，{a}{q}", "讲真{p}的{a}{q}", "有一说一，{p}{a}{q}",
          "{p}用了{n}{u}，感觉{a}{q}", "换了{p}之后，{a}{q}", "第{n}天使用{p}，{a}{q}",
          "不吹不黑，{p}的{a}{q}", "个人感觉{p}的{a}{q}", "{p}到手{n}{u}了，{a}{q}"),
         ("从旧手机换到{p}，{a}{q}", "带着{p}出去玩了{n}天，{a}{q}"),
         ("试驾了{p}，{a}{q}", "提车{n}{u}，{p}的{a}{q}", "{p}开了{km}公里，{a}{q}")),
    DE: (("{A} vom {p} {q}.", "Ehrlich gesagt: {a} beim {p} {q}",
          "Seit {n} {u} mit dem {p} unterwegs und {a} {q}", "Mein {p}: {a} {q}",
          "Also {a} vom {p} {q}", "Kurzes Fazit zum {p}: {a} {q}",
          "Nach {n} {u} kann ich sagen, {a} vom {p} {q}", "Tag {n} mit dem {p}: {a} {q}",
          "Unpopuläre Meinung: {a} beim {p} {q}"),
         ("Vom alten Handy aufs {p} gewechselt, {a} {q}",),
         ("Heute den {p} Probe gefahren, {a} {q}", "{km} km im {p} und {a} {q}")),
}
_QUESTIONS = {
    EN: ("Is the {a} on the {p} any good?", "Thinking about getting the {p}. How's the {a}?",
         "Anyone else had issues with the {a} on the {p}?",
         "{p} or {p2}? Mostly care about the {a}", "Does the {p} {a} get better after the update?",
         "Quick poll: how's the {a} on your {p}?", "{p} {a} review just dropped",
         "Reports say {b} will change the {a} on the next {p}", "Comparing the {a}: {p} vs {p2}",
         "Waiting for a proper {a} test of the {p}"),
    ZH: ("{p}的{a}怎么样？", "有人用过{p}吗，{a}如何？", "{p}和{p2}的{a}哪个好？",
         "求问{p}的{a}有问题吗", "{p}{a}测评出来了", "据说{b}下一代{p}会改进{a}",
         "纠结{p}还是{p2}，主要看{a}", "蹲一个{p}{a}的长测"),
    DE: ("Wie ist {a} beim {p}?", "Hat jemand Erfahrung mit dem {p}? Wie ist {a}?",
         "{p} oder {p2}? Wichtig ist mir vor allem: {a}",
         "Gibt es schon Tests zum {p}? Vor allem {a} interessiert mich",
         "{p} im Test: {a} im Fokus", "Angeblich wird {a} beim nächsten {p} überarbeitet",
         "{p} vs {p2} – wo ist {a} besser?"),
}
_COMPARE = {
    EN: ("{p} vs {p2}: the {a} on the {p} {q}", "Compared to the {p2}, the {a} on the {p} {q}",
         "Went from the {p2} to the {p} and the {a} {q}"),
    ZH: ("{p}对比{p2}，{a}{q}", "从{p2}换到{p}，{a}{q}", "和{p2}比起来，{p}的{a}{q}"),
    DE: ("{p} vs {p2}: {a} beim {p} {q}", "Im Vergleich zum {p2}: {a} vom {p} {q}",
         "Vom {p2} zum {p} gewechselt und {a} {q}"),
}
_SHORT = {ZH: ("{p}{a}{q}", "{a}{q}", "{p}{q}", "{p}的{a}{q}啊", "这{a}{q}", "{a}是真的{q}")}
_OPENERS = {
    EN: ("ok so ", "PSA: ", "Update: ", "lol ", "Real talk: ", "Quick thought: ", "Ngl ",
         "Unpopular opinion: ", "FYI "),
    ZH: ("家人们，", "分享一下：", "吐槽一下，", "记录一下：", "插一句，", "先说结论：", "哈哈哈",
         "emmm，", "今天"),
    DE: ("Kurze Info: ", "Leute, ", "Ehrlich, ", "Update: ", "Mal ehrlich: ", "Fazit: "),
}
_CLOSERS = {
    EN: (("Would buy again.", "Zero regrets.", "Worth every penny.", "Highly recommend.",
          "10/10.", "Absolutely love it.", "Best purchase this year."),
         ("Still deciding.", "We'll see after the next update.", "Curious what others think.",
          "Mixed feelings.", "Time will tell."),
         ("Returning it.", "Never again.", "Regret buying it.", "Save your money.",
          "So done with this.", "What a waste.", "Do better.")),
    ZH: (("推荐入手！", "闭眼买", "不后悔", "值了", "爱了爱了", "强烈推荐", "这钱花得值"),
         ("再观望一下", "等等下一代吧", "大家怎么看？", "先用着吧", "还在纠结"),
         ("已退货", "别买", "后悔了", "踩雷了", "真的无语", "气死了", "避雷")),
    DE: (("Klare Kaufempfehlung!", "Würde ich wieder kaufen.", "Bin begeistert.", "Top!",
          "Jeden Cent wert."),
         ("Mal sehen.", "Bin noch unentschlossen.", "Was meint ihr?", "Abwarten."),
         ("Geht zurück.", "Nie wieder.", "Finger weg!", "Bereue den Kauf.", "Echt ärgerlich.")),
}
_UNITS = {EN: ("days", "weeks", "months"), ZH: ("天", "周", "个月"),
          DE: ("Tagen", "Wochen", "Monaten")}
_SEPS = {EN: (". ", "! ", " - ", ". "), ZH: ("，", "！", "。", " "), DE: (". ", "! ", " - ", ". ")}
_EMOJI = (("😍", "👍", "🔥", "💯", "🚀", "😎", "❤️", "👏", "🥰", "✨"),
          ("🤔", "📱", "🚗", "👀", "😅", "🤷", "📊", "⚡"),
          ("😡", "🤬", "👎", "💩", "🙄", "😤", "😒", "🤡", "😭", "💔"))
_WEIBO_EMOTICONS = (("[赞]", "[哈哈]", "[good]", "[心]", "[耶]", "[给力]"),
                    ("[doge]", "[思考]", "[允悲]", "[吃瓜]", "[二哈]"),
                    ("[怒]", "[吐]", "[衰]", "[泪]", "[抓狂]", "[弱]"))
# hashtags (without marks) per product key
_TAGS = {
    EN: (("Xiaomi", "Xiaomi15", "Redmi", "Android", "smartphone", "tech"),
         ("SU7", "XiaomiSU7", "EV", "XiaomiEV", "electriccar"),
         ("iPhone16", "Apple", "iPhone", "iOS", "tech", "smartphone")),
    ZH: (("小米15", "小米手机", "红米", "数码", "手机推荐"),
         ("小米SU7", "小米汽车", "新能源汽车", "雷军", "SU7"),
         ("iPhone16", "苹果", "苹果手机", "数码", "iOS18")),
    DE: (("Xiaomi", "Handy", "Smartphone", "Technik"),
         ("SU7", "Xiaomi", "EAuto", "Elektroauto"),
         ("iPhone", "Apple", "iPhone16", "Technik")),
}
_OFFICIAL = {EN: (("Xiaomi", "XiaomiGlobal", "leijun", "XiaomiEV"),
                  ("Apple", "AppleSupport", "tim_cook")),
             ZH: (("小米公司", "雷军", "小米汽车", "小米手机"),
                  ("Apple中国", "苹果客服", "AppleSupport")),
             DE: (("Xiaomi", "XiaomiDE", "leijun"), ("Apple", "AppleSupport", "tim_cook"))}
_DOMAINS = {
    EN: ("theverge.com", "engadget.com", "gsmarena.com", "9to5mac.com", "macrumors.com",
         "electrek.co", "insideevs.com", "reuters.com", "bloomberg.com", "cnbc.com",
         "techcrunch.com", "arstechnica.com", "wired.com", "notebookcheck.net",
         "androidauthority.com", "xda-developers.com", "phonearena.com", "tomsguide.com",
         "cnet.com", "zdnet.com", "ft.com", "wsj.com", "caranddriver.com", "motortrend.com",
         "topgear.com", "youtube.com", "reddit.com", "apple.com", "mi.com", "appleinsider.com",
         "scmp.com", "cnevpost.com", "carnewschina.com", "medium.com", "substack.com"),
    ZH: ("36kr.com", "ithome.com", "news.sina.com.cn", "weibo.com", "zhihu.com", "bilibili.com",
         "dongchedi.com", "autohome.com.cn", "sohu.com", "163.com", "thepaper.cn", "caixin.com",
         "yicai.com", "jiemian.com", "huxiu.com", "geekpark.net", "ifanr.com", "sspai.com",
         "coolapk.com", "new.qq.com", "toutiao.com", "xiaohongshu.com", "pcauto.com.cn",
         "yiche.com", "mp.weixin.qq.com", "b23.tv"),
    DE: ("heise.de", "golem.de", "chip.de", "computerbild.de", "spiegel.de", "t3n.de",
         "netzwelt.de", "auto-motor-und-sport.de", "electrive.net", "notebookcheck.com",
         "handelsblatt.com", "faz.net", "zeit.de", "sueddeutsche.de", "adac.de",
         "inside-digital.de", "giga.de", "mobiflip.de", "ecomento.de", "youtube.com"),
}
_URL_SECTIONS = ("news", "article", "review", "p", "tech", "auto", "2025/03", "a", "video")
_URL_SLUGS = ("xiaomi-su7", "iphone-16", "battery-test", "review", "recall", "price-cut",
              "camera-comparison", "delivery", "software-update", "range-test", "teardown",
              "first-look", "long-term-test", "owners-report", "hands-on")
_REPLY_LEADS = {
    EN: (("Exactly.", "100% agree.", "Same here.", "This.", "So true.", "Yep, same experience.",
          "Couldn't agree more."),
         ("Not my experience at all.", "Hard disagree.", "Nope.", "lol no.",
          "That's just not true.", "Strongly disagree."),
         ("Interesting.", "Wait, really?", "Source?", "Which model?", "Good to know.", "Hmm.")),
    ZH: (("确实", "同感", "+1", "说得对", "太真实了", "我也是这样"),
         ("不同意", "你确定？", "别瞎说", "我的完全没这问题", "说反了吧", "这不对吧"),
         ("真的吗", "求链接", "哪个版本？", "蹲一个后续", "学到了", "马一下")),
    DE: (("Genau so.", "Sehe ich auch so.", "Stimmt.", "Kann ich bestätigen."),
         ("Sehe ich anders.", "Quatsch.", "Bei mir nicht.", "Stimmt so nicht."),
         ("Echt jetzt?", "Quelle?", "Welches Modell?", "Gut zu wissen.")),
}
_WEIBO_REPOSTS = ("转发微博", "转发微博", "转发微博", "转发微博", "转发", "mark", "[doge]",
                  "说得好", "顶", "码住", "同意", "[吃瓜]")

# --- campaign vocabulary: keyed by (stance, brand) -------------------------------------

_SLOGANS = {
    (PRAISE, XIAOMI): {
        ZH: ("支持国货，支持小米！", "雷总yyds！", "SU7就是国产之光", "闭眼入，不后悔",
             "小米汽车真的良心", "这价格这配置，谁还买特斯拉", "已经下定SU7了，坐等提车",
             "米粉永远支持小米", "小米15拍照吊打一切", "为发烧而生，名不虚传"),
        EN: ("Xiaomi is killing it right now.", "The SU7 is the best EV for the money.",
             "Switched to Xiaomi, never going back.", "Apple should be scared of Xiaomi.",
             "Xiaomi 15 camera beats everything.", "Just ordered my SU7, can't wait!"),
        DE: ("Xiaomi ist einfach unschlagbar.", "Der SU7 ist das beste E-Auto fürs Geld.",
             "Preis-Leistung bei Xiaomi ist der Wahnsinn.", "Nie wieder was anderes als Xiaomi.")},
    (ATTACK, APPLE): {
        ZH: ("苹果就是智商税", "果粉醒醒吧", "iPhone信号差到离谱", "苹果越来越挤牙膏",
             "还在用苹果？太落后了", "苹果售后太傲慢了", "iPhone 16就是换汤不换药",
             "苹果电池一年就废"),
        EN: ("Apple is a scam.", "The iPhone is overpriced garbage.", "Stop paying the Apple tax.",
             "Apple innovation is dead.", "iPhone 16 is the same phone for the fifth year.",
             "Apple batteries die in a year, planned obsolescence."),
        DE: ("Apple ist pure Abzocke.", "Das iPhone ist völlig überteuert.",
             "Apple hat keine Ideen mehr.", "Das iPhone 16 ist ein Witz.")},
    (PRAISE, APPLE): {
        ZH: ("还是iPhone稳", "iOS生态无敌", "买手机就买苹果，省心", "苹果保值率吊打安卓",
             "iPhone 16拍视频真的无敌", "果子就是流畅"),
        EN: ("iPhone just works.", "Nothing beats the iPhone.", "Apple privacy over everything.",
             "The iPhone 16 Pro camera is unreal.", "Once you go iPhone you never go back."),
        DE: ("Das iPhone läuft einfach.", "Nichts geht über Apple.",
             "Apple-Qualität ist unschlagbar.", "Das iPhone 16 Pro ist top.")},
    (ATTACK, XIAOMI): {
        ZH: ("小米就是营销公司", "米粉别洗了", "SU7就是PPT造车", "小米汽车质量堪忧", "雷军只会营销",
             "小米手机发热翻车了", "SU7刹车有问题，大家小心", "买小米的都是韭菜"),
        EN: ("Xiaomi is all marketing.", "The SU7 is a safety hazard.",
             "Don't trust Xiaomi with your life.", "Xiaomi copies everything Apple does.",
             "SU7 build quality is a joke.", "Xiaomi phones overheat like crazy."),
        DE: ("Xiaomi ist nur Marketing.", "Der SU7 ist gefährlich.", "Finger weg von Xiaomi.",
             "Xiaomi kopiert doch nur.", "Die Qualität beim SU7 ist ein Witz.")},
}
_CTAS = {
    PRAISE: {ZH: ("转发让更多人看到！", "大家冲！", "支持的点赞", "冲冲冲"),
             EN: ("RT to spread the word!", "Share this!", "Retweet if you agree."),
             DE: ("Teilen!", "Sagt es weiter!", "Bitte weiterleiten!")},
    ATTACK: {ZH: ("扩散！", "别再被骗了！", "转发提醒身边人", "大家擦亮眼睛"),
             EN: ("Spread the word!", "Don't get fooled!", "Share before it gets deleted."),
             DE: ("Teilen!", "Lasst euch nicht verarschen!", "Weitersagen!")},
}
_RAID_LINES = {
    (PRAISE, XIAOMI): {
        ZH: ("又是黑子？拿了多少钱", "没用过就别乱说", "小米招你惹你了", "事实胜于雄辩，SU7就是好",
             "别带节奏了", "酸了就直说", "水军退散，我用着挺好", "造谣要负责的"),
        EN: ("Another paid hater?", "Have you even used it?", "Stop spreading lies about Xiaomi.",
             "SU7 is great, deal with it.", "Cope harder.", "Mine works perfectly, nice try."),
        DE: ("Schon wieder ein Hater?", "Hast du das überhaupt benutzt?",
             "Hör auf, Lügen über Xiaomi zu verbreiten.", "Meins läuft perfekt.")},
    (ATTACK, APPLE): {
        ZH: ("果粉又来洗地了", "苹果给了你多少", "醒醒吧，iPhone早就不行了", "还在吹苹果？",
             "这都能吹？", "智商税交得开心吗"),
        EN: ("Apple fanboys are delusional.", "How much is Apple paying you?",
             "Wake up, the iPhone is outdated.", "Enjoy paying the Apple tax."),
        DE: ("Apple-Fanboys halt.", "Wie viel zahlt Apple dir?",
             "Wach auf, das iPhone ist veraltet.")},
    (PRAISE, APPLE): {
        ZH: ("没用过iPhone别乱喷", "安卓用户酸了", "苹果再差也比某些强", "又是米粉在带节奏"),
        EN: ("Android users malding again.", "Have you ever even used an iPhone?",
             "Still better than anything Xiaomi makes.", "Nice try, Xiaomi PR."),
        DE: ("Android-Nutzer sind halt neidisch.", "Immer noch besser als Xiaomi.",
             "Netter Versuch, Xiaomi-PR.")},
    (ATTACK, XIAOMI): {
        ZH: ("米粉又来洗地了", "收了雷军多少钱？", "SU7出事还少吗", "小米水军真多",
             "别吹了，PPT造车", "醒醒，小米就是营销"),
        EN: ("Xiaomi bots out in force again.", "How much did Lei Jun pay you?",
             "The SU7 has had how many incidents?", "Stop shilling, it's all marketing."),
        DE: ("Die Xiaomi-Bots sind wieder unterwegs.", "Wie viel zahlt Xiaomi dir?",
             "Wie viele Vorfälle gab es mit dem SU7 schon?")},
}
_DANMAKU = {(PRAISE, XIAOMI): ("小米YYDS", "SU7牛逼", "雷总万岁", "国产之光", "已下定SU7",
                               "米粉集合", "小米起飞"),
            (ATTACK, APPLE): ("苹果真垃圾", "果粉破防了", "智商税", "苹果凉了", "iPhone拉胯"),
            (PRAISE, APPLE): ("还是苹果好用", "iPhone稳", "果子yyds", "苹果永远的神"),
            (ATTACK, XIAOMI): ("小米营销号", "SU7刹车失灵", "米粉洗地", "PPT造车", "小米又翻车")}
_DANMAKU_TAILS = ("", "！", "！！！", "+1", "2333", "！！", "~")
_CAMPAIGN_DOMAINS = {
    (PRAISE, XIAOMI): ("mi-ev-truth.com", "su7-owners-club.net", "guochan-pride.cn",
                       "xiaomi-fans-hub.com", "su7-deals.cn"),
    (ATTACK, APPLE): ("iphone-exposed.net", "apple-truth.info", "appletax-facts.com",
                      "iphone-fail.cn"),
    (PRAISE, APPLE): ("iphone-only.club", "apple-deals-hub.com", "ios-forever.net"),
    (ATTACK, XIAOMI): ("su7-danger.com", "xiaomi-lies.net", "mi-car-crash.info",
                       "su7-exposed.cn", "leijun-truth.com"),
}
_UTM_SOURCES = ("weibo", "wechat", "twitter", "tg", "qq", "copy", "whatsapp", "line", "douyin",
                "fb")
_LINK_HOOKS = {
    ZH: ("真相在这里：", "买之前一定要看看", "内部消息，速看", "这篇说得太对了", "看完你就懂了",
         "转需：", "必看！", "刚看到这个", "不转不是中国人", "细思极恐"),
    EN: ("Must read before you buy:", "The truth they don't want you to see:", "Read this:",
         "This says it all", "Everyone needs to see this", "Wow, check this out:", "Leaked:",
         "Eye-opening:"),
    DE: ("Unbedingt lesen:", "Die Wahrheit:", "Das muss jeder sehen:",
         "Krass, schaut euch das an:", "Vor dem Kauf lesen:"),
}
_FLOOD_TAGS = {
    (PRAISE, XIAOMI): {ZH: ("小米SU7真香", "国产之光", "雷军", "支持小米", "SU7交付", "小米汽车"),
                       EN: ("XiaomiSU7", "SU7", "XiaomiEV", "TeamXiaomi", "BestEV"),
                       DE: ("XiaomiSU7", "SU7", "EAuto", "TeamXiaomi")},
    (ATTACK, APPLE): {ZH: ("苹果翻车", "智商税", "iPhone16", "苹果信号差", "果粉醒醒"),
                      EN: ("AppleTax", "iPhoneFail", "BoycottApple", "iPhone16"),
                      DE: ("AppleAbzocke", "iPhoneFail", "iPhone16")},
    (PRAISE, APPLE): {ZH: ("iPhone16", "苹果", "iOS18", "果粉"),
                      EN: ("iPhone16Pro", "TeamiPhone", "ShotOniPhone", "Apple"),
                      DE: ("iPhone16", "TeamiPhone", "Apple")},
    (ATTACK, XIAOMI): {ZH: ("小米SU7翻车", "小米营销", "SU7刹车", "小米汽车质量", "PPT造车"),
                       EN: ("SU7Fail", "XiaomiScam", "BoycottXiaomi", "SU7"),
                       DE: ("SU7Fail", "XiaomiSkandal", "SU7")},
}

# --- light rewrites ------------------------------------------------------------------

_SYNONYMS = {
    EN: {"amazing": ("incredible", "awesome", "fantastic"), "great": ("excellent", "superb"),
         "really": ("truly", "seriously"), "best": ("greatest", "top"),
         "love": ("adore", "really like"), "phone": ("device", "handset"),
         "scam": ("rip-off", "con"), "garbage": ("trash", "junk"), "just": ("simply",),
         "everything": ("it all",), "never": ("not ever",), "right now": ("these days",),
         "terrible": ("awful", "horrible"), "honestly": ("frankly", "tbh"),
         "killing it": ("crushing it", "on fire"), "dead": ("over", "gone")},
    ZH: {"真的": ("确实", "实在"), "太": ("超", "好"), "支持": ("力挺",),
         "不后悔": ("不亏", "值得"),
         "良心": ("厚道",), "垃圾": ("辣鸡", "拉胯"), "智商税": ("割韭菜",), "已经": ("早就",),
         "大家": ("各位", "家人们"), "就是": ("简直是", "根本就是"), "手机": ("机子",),
         "醒醒吧": ("清醒点吧",), "离谱": ("夸张", "过分"), "吊打": ("碾压", "秒杀"),
         "国产之光": ("国货之光",), "闭眼入": ("放心买", "直接冲"), "质量": ("品质",),
         "的": ("滴",),
         "很": ("非常", "特别"), "了": ("啦",)},
    DE: {"einfach": ("schlicht",), "unschlagbar": ("konkurrenzlos",), "beste": ("tollste",),
         "völlig": ("total", "komplett"), "Abzocke": ("Betrug", "Geldmacherei"),
         "gefährlich": ("riskant",), "echt": ("wirklich",), "nur": ("bloß",),
         "Wahnsinn": ("Hammer",), "richtig": ("total",), "wirklich": ("echt",),
         "schnell": ("fix",)},
}
_FILLERS = {EN: ("tbh", "honestly", "lol", "fr", "ngl", "literally", "seriously"),
            ZH: ("真的", "说实话", "哈哈", "啊", "呢", "emmm", "讲真", "绝了"),
            DE: ("ehrlich", "echt", "halt", "mal", "krass", "wirklich")}
_PUNCT_SWAPS = {".": ("!", "!!", "...", ""), "!": ("!!!", ".", "!!"), ",": ("", " -", "..."),
                "，": (",", " ", "～", "。"), "！": ("!!", "～", "。", "！！！"),
                "。": ("！", "", "～"),
                "?": ("??", "?!")}

# --- organic outrage -----------------------------------------------------------------

_EVENTS: dict[str, dict[str, Any]] = {
    "fatal_crash": {
        "description": "An SU7 crashed into a highway barrier at night with driver assistance "
                       "engaged and caught fire; three people died.",
        "aspect": "safety",
        "tag": {ZH: "小米SU7事故", EN: "SU7crash", DE: "SU7Unfall"},
        "refs": {ZH: ("SU7高速事故", "小米SU7高速撞护栏", "开着智驾出的那起车祸", "SU7事故三人遇难",
                      "那辆撞了之后起火的SU7", "智驾提醒后两秒就撞上的事"),
                 EN: ("the SU7 highway crash", "the fatal Xiaomi SU7 crash",
                      "three people dying in an SU7", "the SU7 that hit the barrier and burned",
                      "that crash with driver assist engaged"),
                 DE: ("SU7-Unfall mit drei Toten", "tödlicher Xiaomi-Unfall auf der Autobahn",
                      "Crash mit aktivem Fahrassistenten", "brennender SU7 nach dem Aufprall")}},
    "recall": {
        "description": "Xiaomi recalls 117,000 SU7 cars over a driver-assistance software defect.",
        "aspect": "driving_assistance",
        "tag": {ZH: "小米汽车召回", EN: "SU7recall", DE: "SU7Rückruf"},
        "refs": {ZH: ("召回11.7万辆SU7", "SU7大规模召回", "11.7万辆车召回", "这次智驾软件召回",
                      "小米汽车召回事件"),
                 EN: ("the recall of 117,000 SU7s", "Xiaomi recalling 117,000 cars",
                      "the massive SU7 recall", "117,000 cars recalled over driver assist"),
                 DE: ("Rückruf von 117.000 SU7", "Xiaomi ruft 117.000 Autos zurück",
                      "Massenrückruf beim SU7")}},
    "hood_protest": {
        "description": "SU7 Ultra owners protest that the optional carbon-fibre hood's air "
                       "ducts do nothing.",
        "aspect": "design",
        "tag": {ZH: "SU7Ultra机盖", EN: "SU7Ultra", DE: "SU7Ultra"},
        "refs": {ZH: ("SU7 Ultra机盖风道是假的", "碳纤维机盖维权", "双风道机盖事件",
                      "四万二的机盖没用", "机盖风道只是装饰"),
                 EN: ("the fake air ducts on the SU7 Ultra hood", "the SU7 Ultra hood scandal",
                      "owners protesting the carbon hood", "a $6,000 hood that does nothing"),
                 DE: ("Fake-Lufteinlässe an der SU7-Ultra-Haube", "Skandal um die Carbon-Haube",
                      "Protest der SU7-Ultra-Besitzer")}},
}
_OUTRAGE = {
    ZH: {"ref": ("看到{r}的新闻，手都在抖", "{r}，真的气到睡不着", "{r}这件事，小米必须给个说法",
                 "刚刷到{r}，太可怕了", "{r}，到现在官方还在装死？",
                 "关于{r}，我只想问一句：凭什么？", "{r}让我彻底寒心", "{r}不是第一次了吧",
                 "{r}，心疼车主", "谁能想到会发生{r}", "{r}都上热搜了，公关还在删帖"),
         "personal": ("我家也订了一台，现在只想退", "本来下个月提车，现在犹豫了",
                      "身边好几个朋友都在问我还敢不敢买", "作为老米粉，这次真的失望",
                      "我爸看了新闻直接让我退订", "开了半年，越想越后怕",
                      "我不是黑子，用了三台小米手机了", "说实话之前还挺看好的",
                      "我老婆说再也不坐这车了", "定金都交了，现在很纠结"),
         "demand": ("请公布完整数据", "必须彻查", "给车主一个交代", "别再发公关稿了，拿出诚意",
                    "监管部门该出手了", "要求公开调查结果", "赔偿方案呢？", "别拿营销那一套糊弄人",
                    "雷军出来说句话啊"),
         "judgment": ("营销做得再好也没用", "安全才是底线", "这就是赶工的代价",
                      "质量问题不是靠道歉能解决的", "把用户当小白鼠", "口碑是一点点丢掉的",
                      "再便宜也不敢买了", "真的太让人心寒了", "造车不是做手机"),
         "reaction": ("气死我了", "离谱！", "无语到极点", "我真的服了", "太过分了",
                      "看得我血压都上来了", "简直不敢相信", "忍不了了", "心态崩了")},
    EN: {"ref": ("Just saw the news about {r}. I'm shaking.", "{r} is absolutely unacceptable.",
                 "How is nobody at Xiaomi taking responsibility for {r}?",
                 "Still can't believe {r}.", "{r} should be a wake-up call for everyone.",
                 "Thinking about {r} and I'm furious.",
                 "After {r}, how can anyone trust them?", "Can we talk about {r}?"),
         "personal": ("I had a deposit down, cancelling it today.",
                      "My brother drives one and I told him to park it.",
                      "I was literally about to buy one.",
                      "Been defending Xiaomi for years, not anymore.",
                      "My whole family is asking if we should sell ours.",
                      "I'm not a hater, I own two of their phones."),
         "demand": ("We need a full independent investigation.", "Release the data. All of it.",
                    "Regulators need to step in now.", "Where is the compensation plan?",
                    "Stop the PR spin and answer the questions.",
                    "Someone has to be held accountable."),
         "judgment": ("Marketing can't fix this.", "Safety should never be an afterthought.",
                      "This is what rushing a car to market looks like.",
                      "Customers are not beta testers.",
                      "Trust takes years to build and seconds to lose.",
                      "No discount will make me buy one now."),
         "reaction": ("Disgusting.", "Unbelievable.", "I'm so angry right now.", "This is insane.",
                      "Absolutely furious.", "Heartbreaking and infuriating.")},
    DE: {"ref": ("Gerade gelesen: {r}. Unfassbar.", "{r} – das ist nicht akzeptabel.",
                 "Stichwort {r}: Wer übernimmt bei Xiaomi Verantwortung?",
                 "Ich fasse es nicht. {r}.", "{r}? Und denen soll man noch vertrauen?",
                 "Schlagzeile des Tages: {r}. Mir fehlen die Worte."),
         "personal": ("Hatte eine Anzahlung gemacht, storniere heute.",
                      "Mein Kollege fährt einen und lässt ihn jetzt stehen.",
                      "Ich wollte mir genau den kaufen.",
                      "Hab Xiaomi jahrelang verteidigt, jetzt nicht mehr."),
         "demand": ("Wir brauchen eine unabhängige Untersuchung.", "Legt die Daten offen.",
                    "Die Behörden müssen jetzt handeln.", "Wo bleibt die Entschädigung?"),
         "judgment": ("Marketing löst das nicht.", "Sicherheit darf nie zweitrangig sein.",
                      "Kunden sind keine Betatester.", "Vertrauen verspielt man in Sekunden."),
         "reaction": ("Widerlich.", "Unglaublich.", "Ich bin so wütend.", "Einfach nur krank.",
                      "Fassungslos.")},
}

# --- account names -------------------------------------------------------------------

_ZH_NAME_A = ("小", "老", "阿", "大", "爱吃", "不吃", "会飞的", "快乐的", "安静的", "北京", "上海",
              "深圳", "杭州", "成都", "广州", "武汉", "南京", "西安", "重庆", "追风的", "熬夜的",
              "佛系", "认真的", "迷路的")
_ZH_NAME_B = ("猫", "鱼", "橘子", "土豆", "老王", "小李", "阿杰", "数码控", "车迷", "打工人",
              "程序员", "摄影师", "学生党", "宝妈", "饭团", "咸鱼", "星星", "月亮", "面包", "柠檬",
              "兔子", "熊猫", "少年", "大叔", "小姐姐", "老司机")
_ZH_NAME_C = ("", "", "", "", "呀", "君", "酱", "2024", "88", "666", "同学", "日记", "_", "本人")
_PINYIN = ("xiaowang", "leo_chen", "mike_zhang", "shenzhen", "beijing", "techlee", "amy_liu",
           "kevin_wu", "huang", "zhou", "lin")
_EN_FIRST = ("alex", "sam", "mike", "jess", "chris", "taylor", "jordan", "emma", "noah", "liam",
             "olivia", "mia", "ryan", "kate", "dan", "tom", "amy", "nick", "ben", "zoe", "tech",
             "gadget", "ev", "auto", "pixel", "daily", "the", "real", "its", "mr", "ms")
_EN_SECOND = ("", "_", "tech", "reviews", "drives", "codes", "photo", "news", "fan", "guy", "girl",
              "lee", "smith", "jones", "nguyen", "chen", "miller", "kim", "b", "k", "_official")
_DE_FIRST = ("lena", "max", "jonas", "tobi", "anna", "felix", "kathi", "jan", "lukas", "sophie",
             "marie", "paul", "leon", "mia", "nils", "timo", "sandra", "stefan", "tech", "auto",
             "handy", "e_auto")
_DE_SECOND = ("_berlin", "_muc", "_hh", "koeln", "_ffm", "_stgt", "", "_de", "_tech", "fahrer",
              "")


def _fmt_tag(tag: str, platform: int) -> str:
    """A hashtag as the platform writes it: Weibo ``#话题#``, otherwise ``#tag``."""
    return f"#{tag}#" if platform == WB else f"#{tag}"


@dataclass(frozen=True)
class _Vocab:
    """Everything one language needs to compose an opinion, indexed for speed."""

    lang: int
    products: tuple[tuple[str, ...], ...]
    rivals: tuple[tuple[str, ...], ...]
    terms: tuple[dict[int, tuple[str, ...]], dict[int, tuple[str, ...]]]
    preds: tuple[tuple[str, ...], ...]
    aspect_preds: dict[tuple[int, int], tuple[str, ...]]
    templates: tuple[tuple[str, ...], tuple[str, ...]]
    questions: tuple[str, ...]
    compare: tuple[str, ...]
    short: tuple[str, ...]
    openers: tuple[str, ...]
    closers: tuple[tuple[str, ...], ...]
    units: tuple[str, ...]
    seps: tuple[str, ...]
    brands: tuple[str, str]
    tags: tuple[tuple[str, ...], ...]
    official: tuple[tuple[str, ...], ...]
    domains: tuple[str, ...]
    leads: tuple[tuple[str, ...], ...]


def _build_vocab(lang: int) -> _Vocab:
    products = _PRODUCTS[lang]
    terms_by_ptype: tuple[dict[int, tuple[str, ...]], dict[int, tuple[str, ...]]] = ({}, {})
    for name, (phone, car) in _TERMS[lang].items():
        terms_by_ptype[0][_A[name]] = phone
        terms_by_ptype[1][_A[name]] = car
    generic, phone_t, car_t = _TEMPLATES[lang]
    return _Vocab(
        lang=lang, products=products,
        rivals=(products[2], _CAR_RIVALS[lang], products[0]),
        terms=terms_by_ptype, preds=_PREDS[lang],
        aspect_preds={(_A[a], s): v for (a, s), v in _ASPECT_PREDS[lang].items()},
        templates=(generic + phone_t, generic + car_t), questions=_QUESTIONS[lang],
        compare=_COMPARE[lang], short=_SHORT.get(lang, generic), openers=_OPENERS[lang],
        closers=_CLOSERS[lang], units=_UNITS[lang], seps=_SEPS[lang], brands=_BRAND_NAMES[lang],
        tags=_TAGS[lang], official=_OFFICIAL[lang], domains=_DOMAINS[lang],
        leads=_REPLY_LEADS[lang],
    )


_VOCABS = tuple(_build_vocab(lang) for lang in (ZH, EN, DE))


# --- public types --------------------------------------------------------------------


@dataclass(eq=False)
class Simulation:
    """Synthetic posts (columnar, sorted by ``created_at``) and their ground truth.

    ``columns`` holds one list per field of :data:`POST_FIELDS`; ``timestamps``
    the Unix seconds of each post; ``labels`` per post what generated it
    (``source``: organic, cover (a campaign account's ordinary post), campaign
    or outrage; ``campaign_id``; ``brand``, ``aspect`` and ``sentiment`` where
    known). ``truth`` is what :func:`write_truth` writes.

    Example:
        >>> sim = simulate(500, seed=3)
        >>> next(sim.iter_posts())["created_at"].endswith("Z")
        True
    """

    columns: dict[str, list[Any]]
    timestamps: np.ndarray
    labels: dict[str, list[Any]]
    truth: dict[str, Any]

    def __len__(self) -> int:
        return len(self.columns["post_id"])

    def iter_posts(self) -> Iterator[dict[str, Any]]:
        """Each post as a dict keyed by :data:`POST_FIELDS`, in time order."""
        for row in zip(*(self.columns[f] for f in POST_FIELDS), strict=True):
            yield dict(zip(POST_FIELDS, row, strict=True))

    @cached_property
    def posts(self) -> list[dict[str, Any]]:
        """All posts as dicts (built once, on first use)."""
        return list(self.iter_posts())


def char_jaccard(a: str, b: str, k: int = 3) -> float:
    """Jaccard similarity of the character ``k``-shingles of two texts (case-folded).

    Example:
        >>> char_jaccard("the same text", "the same text")
        1.0
        >>> char_jaccard("abc", "xyz")
        0.0
    """
    sa, sb = _shingles(a, k), _shingles(b, k)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


def _shingles(text: str, k: int) -> set[str]:
    s = " ".join(text.lower().split())
    if len(s) <= k:
        return {s} if s else set()
    return {s[i:i + k] for i in range(len(s) - k + 1)}


# --- plans ---------------------------------------------------------------------------


@dataclass
class _Burst:
    start: int
    members: np.ndarray  # local account indices of the campaign, in posting order
    offsets: np.ndarray  # seconds after start


@dataclass
class _Campaign:
    index: int
    kind: int
    stance: int
    brand: int
    lang: int
    platform: int
    tz: int  # minutes east of UTC
    n_accounts: int
    bursts: list[_Burst]
    accounts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    detail: dict[str, Any] = field(default_factory=dict)
    targets: list[int] = field(default_factory=list)

    @property
    def n_posts(self) -> int:
        return sum(len(b.members) for b in self.bursts)

    @property
    def key(self) -> tuple[int, int]:
        return self.stance, self.brand


@dataclass
class _Accounts:
    ids: list[str]
    names: list[str]
    lang: np.ndarray
    platform: np.ndarray
    tz: np.ndarray
    phase: np.ndarray
    weight: np.ndarray
    campaign: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class _Rows:
    """Posts of one part of the simulation, columnar; ``parent`` holds global row numbers."""

    t: np.ndarray
    author: np.ndarray
    parent: np.ndarray
    link: np.ndarray
    video: np.ndarray
    source: np.ndarray
    campaign: np.ndarray
    brand: np.ndarray
    aspect: np.ndarray
    sentiment: np.ndarray
    text: list[str]


class _RowBuilder:
    """Collects posts one at a time (campaigns, outrage) and hands back :class:`_Rows`."""

    _INT_FIELDS = ("t", "author", "parent", "link", "video", "source", "campaign", "brand",
                   "aspect", "sentiment")

    def __init__(self, offset: int):
        self.offset = offset
        self.cols: dict[str, list[int]] = {f: [] for f in self._INT_FIELDS}
        self.text: list[str] = []

    def add(self, t: int, author: int, text: str, source: int, *, parent: int = -1,
            link: int = NONE, video: int = -1, campaign: int = -1, brand: int = -1,
            aspect: int = -1, sentiment: int = -1) -> int:
        """Append one post; return its global row number."""
        values = (t, author, parent, link, video, source, campaign, brand, aspect, sentiment)
        for name, value in zip(self._INT_FIELDS, values, strict=True):
            self.cols[name].append(value)
        self.text.append(text)
        return self.offset + len(self.text) - 1

    def rows(self) -> _Rows:
        arrays = {f: np.asarray(v, dtype=np.int64) for f, v in self.cols.items()}
        return _Rows(text=self.text, **arrays)


class _Targets:
    """Organic posts a reply raid can aim at, by platform and by (platform, brand, sentiment),
    each in time order."""

    def __init__(self, org: _Rows, plat: np.ndarray):
        self.t = org.t
        ok = org.link != REPOST
        self.by_plat = {p: np.flatnonzero(ok & (plat == p)) for p in range(3)}
        self.by_key: dict[tuple[int, int, int], np.ndarray] = {}
        for p, idx in self.by_plat.items():
            for b in range(2):
                for s in range(3):
                    keep = (org.brand[idx] == b) & (org.sentiment[idx] == s)
                    self.by_key[(p, b, s)] = idx[keep]

    def pick(self, platform: int, brand: int, sentiment: int, before: int,
             rnd: random.Random) -> int:
        """A post on ``platform`` about ``brand`` with ``sentiment`` from the day before
        ``before``; failing that any recent post there, then any post there (-1: none)."""
        for idx, since in ((self.by_key[(platform, brand, sentiment)], before - 86400),
                           (self.by_plat[platform], before - 86400),
                           (self.by_plat[platform], -1)):
            ts = self.t[idx]
            lo = int(np.searchsorted(ts, since, side="right"))
            hi = int(np.searchsorted(ts, before - 30, side="left"))
            if hi > lo:
                return int(idx[rnd.randrange(lo, hi)])
        idx = self.by_plat[platform]
        return int(idx[0]) if len(idx) else -1


@dataclass
class _Ctx:
    """What campaign writers read: the organic posts, the accounts, the window."""

    org: _Rows
    acc: _Accounts
    span: int
    n_videos: int
    targets: _Targets


# --- the simulation ------------------------------------------------------------------


def simulate(n_posts: int, seed: int = 0, start: datetime | None = None,
             days: int = 7) -> Simulation:
    """A deterministic synthetic stream of ``n_posts`` posts over ``days`` days.

    ``start`` (default :data:`DEFAULT_START`; naive means UTC) is when the window
    opens. About 8-15 % of the posts come from planted campaigns (at least three
    of each kind from 20,000 posts on); one organic outrage burst is added.

    Example:
        >>> sim = simulate(2000, seed=7)
        >>> len(sim) == 2000 and len(set(sim.columns["post_id"])) == 2000
        True
        >>> simulate(2000, seed=7).columns == sim.columns
        True
    """
    if n_posts < 0:
        raise ValueError("n_posts must be >= 0")
    if days < 1:
        raise ValueError("days must be >= 1")
    start = start or DEFAULT_START
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    t0 = int(start.timestamp())
    span = days * 86400
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(9)]
    campaigns = _plan_campaigns(streams[0], n_posts, days)
    out_posts = _plan_outrage(streams[1], n_posts)
    cover = _cover_counts(streams[2], campaigns)
    n_camp = sum(c.n_posts for c in campaigns)
    n_org = n_posts - n_camp - int(out_posts.sum())
    accounts = _make_accounts(streams[3], campaigns, max(5, round(n_org / 5.0)))
    videos = _video_ids(streams[4], max(5, n_posts // 400))
    org = _organic(streams[5], accounts, n_org, cover, days, len(videos))
    builder = _RowBuilder(len(org.t))
    ctx = _Ctx(org, accounts, span, len(videos), _Targets(org, accounts.platform[org.author]))
    for c in campaigns:
        _realize(c, streams[6], builder, ctx)
    out_acc, event, t_event = _outrage(streams[7], out_posts, accounts, builder, len(videos),
                                       span)
    rows = _concat([org, builder.rows()])
    sim_cols, labels, stamps, pids = _assemble(rows, accounts, videos, t0, campaigns,
                                               streams[8])
    truth = _truth(seed, n_posts, start, days, campaigns, accounts, rows, pids, out_acc,
                   event, t0 + t_event, labels)
    return Simulation(columns=sim_cols, timestamps=stamps, labels=labels, truth=truth)


def _campaigns_per_kind(n: int) -> int:
    if n < 2_000:
        return 1
    if n < 20_000:
        return 2
    return 3 + int(math.log2(max(1.0, n / 100_000)))


def _plan_campaigns(rng: np.random.Generator, n: int, days: int) -> list[_Campaign]:
    """Kinds, sizes, bursts and participants of every campaign (accounts still local)."""
    per_kind = _campaigns_per_kind(n)
    kinds = [k for _ in range(per_kind) for k in range(len(KINDS))]
    scale = math.sqrt(n / 100_000)
    lo = 4 if n < 20_000 else 6
    sizes = [int(np.clip(round(rng.uniform(10, 60) * scale), lo, 600)) for _ in kinds]
    parts = rng.uniform(0.6, 0.95, len(kinds))
    while kinds and sum(2 * a * p for a, p in zip(sizes, parts, strict=False)) > 0.15 * n:
        kinds.pop()
        sizes.pop()
    if not kinds:
        return []
    budget = rng.uniform(0.09, 0.13) * n
    total_size = sum(sizes)
    order = rng.permutation(len(kinds))
    campaigns = []
    for idx, j in enumerate(order.tolist()):
        kind, size, part = kinds[j], sizes[j], float(parts[j])
        n_bursts = int(np.clip(round(budget * size / total_size / (part * size)), 2, 400))
        campaigns.append(_new_campaign(rng, idx, kind, size, part, n_bursts, days))
    return campaigns


def _new_campaign(rng: np.random.Generator, index: int, kind: int, size: int, part: float,
                  n_bursts: int, days: int) -> _Campaign:
    stance, brand = [(PRAISE, XIAOMI), (ATTACK, APPLE), (PRAISE, APPLE),
                     (ATTACK, XIAOMI)][int(rng.choice(4, p=[0.35, 0.25, 0.15, 0.25]))]
    if kind == DF:
        lang, platform = ZH, BL
    else:
        lang = int(rng.choice(3, p=[0.5, 0.35, 0.15]))
        platform = WB if lang == ZH else TW
    tz = (480, -300, 60)[lang]
    taking = rng.random((n_bursts, size)) < part
    _ensure_participation(rng, taking)
    bursts = []
    for b, start in enumerate(_burst_starts(rng, n_bursts, days, tz).tolist()):
        members = rng.permutation(np.flatnonzero(taking[b]))
        bursts.append(_Burst(start, members, _offsets(rng, kind, len(members))))
    return _Campaign(index, kind, stance, brand, lang, platform, tz, size, bursts)


def _burst_starts(rng: np.random.Generator, n: int, days: int, tz: int) -> np.ndarray:
    """Sorted burst starts, one per distinct hour (local daytime where possible), each in the
    first half of its hour: bursts of one campaign are always half an hour apart or more."""
    hours = np.arange(1, days * 24)
    local = (hours + tz // 60) % 24
    pool = hours[local >= 8] if (local >= 8).sum() >= n else hours
    slots = np.sort(rng.choice(pool, n, replace=n > len(pool)))
    return np.asarray(slots * 3600 + rng.integers(0, 1800, n), dtype=np.int64)


def _ensure_participation(rng: np.random.Generator, taking: np.ndarray) -> None:
    """Every burst gets >= 2 members (>= 1 if the campaign is one account); every account
    posts at least once."""
    n_bursts, size = taking.shape
    need = min(2, size)
    for b in range(n_bursts):
        if taking[b].sum() < need:
            taking[b, rng.choice(size, need, replace=False)] = True
    for a in np.flatnonzero(~taking.any(axis=0)).tolist():
        taking[int(rng.integers(0, n_bursts)), a] = True


def _offsets(rng: np.random.Generator, kind: int, m: int) -> np.ndarray:
    """Seconds after a burst's start at which each member posts."""
    if kind == CP:
        off = np.minimum(rng.exponential(12.0, m), 59)
    elif kind == RR:
        off = rng.uniform(0, 119, m)
    elif kind == RG:
        off = np.concatenate([[0.0], 1 + np.minimum(rng.exponential(6.0, max(m - 1, 0)), 39)])
    elif kind == DF:
        off = np.minimum(rng.exponential(4.0, m), 19)
    else:
        off = rng.uniform(0, 59, m)
    return np.sort(off.astype(np.int64))


def _plan_outrage(rng: np.random.Generator, n: int) -> np.ndarray:
    """Posts per outrage account (hundreds of accounts at 100k posts)."""
    if n < 500:
        return np.zeros(0, np.int64)
    n_acc = max(3, round(n * rng.uniform(0.0035, 0.0045)))
    return 1 + (rng.random(n_acc) < 0.3) + (rng.random(n_acc) < 0.1).astype(np.int64)


def _cover_counts(rng: np.random.Generator, campaigns: list[_Campaign]) -> np.ndarray:
    """Ordinary-looking posts per campaign account, in campaign order."""
    total = sum(c.n_accounts for c in campaigns)
    return rng.poisson(2.5, total).astype(np.int64)


# --- accounts ------------------------------------------------------------------------


def _make_accounts(rng: np.random.Generator, campaigns: list[_Campaign],
                   n_organic: int) -> _Accounts:
    """Organic accounts first, then each campaign's; sets ``campaign.accounts``."""
    lang = rng.choice(3, n_organic, p=[0.45, 0.40, 0.15])
    zh_platform = rng.choice([WB, BL, TW], n_organic, p=[0.65, 0.25, 0.10])
    platform = np.where(lang == ZH, zh_platform, TW)
    tz = np.select(
        [lang == ZH, lang == EN],
        [np.where(platform == TW, rng.choice([480, 480, -300, -480, 60], n_organic), 480),
         rng.choice([-480, -420, -360, -300, 0, 60, 330, 480, 600], n_organic,
                    p=[0.2, 0.05, 0.1, 0.3, 0.12, 0.05, 0.08, 0.04, 0.06])],
        rng.choice([60, 120], n_organic, p=[0.85, 0.15]))
    weight = rng.lognormal(0.0, 1.5, n_organic)
    campaign = np.full(n_organic, -1)
    parts = [(lang, platform, tz, weight, campaign)]
    next_index = n_organic
    for c in campaigns:
        m = c.n_accounts
        c.accounts = np.arange(next_index, next_index + m)
        next_index += m
        parts.append((np.full(m, c.lang), np.full(m, c.platform), np.full(m, c.tz),
                      np.ones(m), np.full(m, c.index)))
    cols = [np.concatenate(list(col)) for col in zip(*parts, strict=True)]
    lang_a, plat_a, tz_a, weight_a, camp_a = cols
    total = len(lang_a)
    phase = rng.normal(0, 5400, total).astype(np.int64)
    ids = 1_000_000_000 + np.cumsum(rng.integers(1, 30_000, total))
    ids = ids[rng.permutation(total)]
    names = _make_names(rng, lang_a, plat_a, camp_a >= 0)
    return _Accounts([str(i) for i in ids.tolist()], names, lang_a.astype(np.int64),
                     plat_a.astype(np.int64), tz_a.astype(np.int64), phase, weight_a,
                     camp_a.astype(np.int64))


def _make_names(rng: np.random.Generator, lang: np.ndarray, platform: np.ndarray,
                planted: np.ndarray) -> list[str]:
    """Unique display names / handles; default-style names are commoner among planted ones."""
    m = len(lang)
    r = rng.integers(0, 1 << 30, (m, 4)).tolist()
    default = (rng.random(m) < np.where(planted, 0.35, 0.05)).tolist()
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, (lg, pl, rr, dflt) in enumerate(zip(lang.tolist(), platform.tolist(), r, default,
                                               strict=True)):
        name = _one_name(lg, pl, rr, dflt)
        if name in seen:
            seen[name] += 1
            name = f"{name}{seen[name]}" if lg == ZH else f"{name}_{i % 1000}{seen[name]}"
        seen.setdefault(name, 0)
        names.append(name)
    return names


def _one_name(lang: int, platform: int, r: list[int], default: bool) -> str:
    digits = r[3] % 10_000
    if platform in (WB, BL):
        if default:
            return ("用户" if platform == WB else "bili_") + str(1_000_000_000 + r[0] * 7 % 10**9)
        name = _ZH_NAME_A[r[0] % len(_ZH_NAME_A)] + _ZH_NAME_B[r[1] % len(_ZH_NAME_B)]
        name += _ZH_NAME_C[r[2] % len(_ZH_NAME_C)]
        return name + (str(digits % 100) if r[3] % 3 == 0 else "")
    first: tuple[str, ...] = _EN_FIRST if lang == EN else _DE_FIRST if lang == DE else _PINYIN
    second: tuple[str, ...] = _DE_SECOND if lang == DE else _EN_SECOND
    if default:
        return first[r[0] % len(first)].capitalize() + str(10_000_000 + r[1] % 90_000_000)
    name = first[r[0] % len(first)] + second[r[1] % len(second)]
    return name + (str(digits % (100 if r[2] % 2 else 10_000)) if r[2] % 3 else "")


def _video_ids(rng: np.random.Generator, n: int) -> list[str]:
    """Bilibili video ids (``BV1`` + 9 base58 characters)."""
    alphabet = np.array(list("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"))
    chars = alphabet[rng.integers(0, len(alphabet), (n, 9))]
    return ["BV1" + "".join(row) for row in chars.tolist()]


# --- organic posts -------------------------------------------------------------------


def _organic(rng: np.random.Generator, acc: _Accounts, n_org: int, cover: np.ndarray,
             days: int, n_videos: int) -> _Rows:
    """Organic posts (and campaign accounts' cover posts), sorted by time, with texts."""
    planted = np.flatnonzero(acc.campaign >= 0)
    cover = cover[: len(planted)]
    while cover.sum() > n_org // 2 and cover.sum() > 0:
        cover = cover // 2
    cover_authors = np.repeat(planted, cover)
    authors = np.concatenate([_sample_authors(rng, acc, n_org - len(cover_authors)),
                              cover_authors])
    source = np.concatenate([np.zeros(n_org - len(cover_authors), np.int64),
                             np.full(len(cover_authors), SRC_COVER)])
    t = _daily_times(rng, acc, authors, days)
    order = np.argsort(t, kind="stable")
    t, authors, source = t[order], authors[order], source[order]
    plat = acc.platform[authors]
    link = _link_kinds(rng, plat)
    hot = acc.weight[authors] >= np.quantile(acc.weight, 0.99)
    parent = _pick_parents(rng, t, plat, link, hot)
    link[(link > NONE) & (parent < 0)] = NONE
    brand, key, aspect, sent = _labels(rng, acc.lang[authors])
    _inherit_labels(rng, link, parent, (brand, key, aspect, sent))
    video = _videos(rng, plat, link, parent, n_videos)
    texts = _organic_texts(rng, acc, authors, plat, link, parent, key, aspect, sent)
    m = len(t)
    return _Rows(t=t, author=authors, parent=parent, link=link, video=video, source=source,
                 campaign=np.full(m, -1), brand=brand, aspect=aspect, sentiment=sent, text=texts)


def _sample_authors(rng: np.random.Generator, acc: _Accounts, m: int) -> np.ndarray:
    """Authors of ``m`` organic posts: languages 45/40/15, heavy-tailed activity."""
    lang = rng.choice(3, m, p=[0.45, 0.40, 0.15])
    out = np.empty(m, np.int64)
    organic = acc.campaign < 0
    for g in range(3):
        rows = np.flatnonzero(lang == g)
        pool = np.flatnonzero(organic & (acc.lang == g))
        if not len(pool):
            pool = np.flatnonzero(organic)
        w = acc.weight[pool]
        out[rows] = pool[rng.choice(len(pool), len(rows), p=w / w.sum())]
    return out


def _daily_times(rng: np.random.Generator, acc: _Accounts, authors: np.ndarray,
                 days: int) -> np.ndarray:
    """Seconds since the start: uniform days, local hours following :data:`_RHYTHM`."""
    m = len(authors)
    day = rng.integers(0, days, m)
    hour = rng.choice(24, m, p=_RHYTHM / _RHYTHM.sum())
    local = day * 86400 + hour * 3600 + rng.integers(0, 3600, m) + acc.phase[authors]
    return np.asarray((local - acc.tz[authors] * 60) % (days * 86400), dtype=np.int64)


def _link_kinds(rng: np.random.Generator, plat: np.ndarray) -> np.ndarray:
    """Original, reply or repost, with per-platform shares (no reposts on Bilibili)."""
    u = rng.random(len(plat))
    reply = np.array([0.18, 0.15, 0.25])[plat]
    repost = np.array([0.14, 0.15, 0.0])[plat]
    return np.where(u < reply, REPLY, np.where(u < reply + repost, REPOST, NONE)).astype(np.int64)


def _pick_parents(rng: np.random.Generator, t: np.ndarray, plat: np.ndarray, link: np.ndarray,
                  hot: np.ndarray) -> np.ndarray:
    """An earlier post on the same platform for every reply and repost (-1: none).

    Most answer a post from minutes before; a third answer a popular account's post.
    Reposts of reposts point at the original.
    """
    parent = np.full(len(t), -1, np.int64)
    want = np.flatnonzero(link > NONE)
    delay = np.exp(rng.normal(math.log(900), 1.3, len(want))).astype(np.int64) + 5
    hot_delay = np.exp(rng.normal(math.log(3600), 1.2, len(want))).astype(np.int64) + 5
    use_hot = rng.random(len(want)) < 0.35
    for p in range(3):
        on = np.flatnonzero(plat == p)
        sel = plat[want] == p
        rows = want[sel]
        if not len(on) or not len(rows):
            continue
        pos = np.searchsorted(t[on], t[rows] - delay[sel], side="right") - 1
        par = np.where(pos >= 0, on[np.maximum(pos, 0)], -1)
        hot_on = on[hot[on]]
        h = use_hot[sel]
        if len(hot_on) and h.any():
            pos2 = np.searchsorted(t[hot_on], t[rows[h]] - hot_delay[sel][h], side="right") - 1
            par[h] = np.where(pos2 >= 0, hot_on[np.maximum(pos2, 0)], par[h])
        parent[rows] = par
    for _ in range(200):
        pr = np.maximum(parent, 0)
        bad = (parent >= 0) & (link[pr] == REPOST)
        if not bad.any():
            break
        parent[bad] = parent[parent[bad]]
    return parent


def _labels(rng: np.random.Generator,
            lang: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Brand, product key, aspect and sentiment of each post."""
    m = len(lang)
    brand = (rng.random(m) >= np.array([0.6, 0.4, 0.5])[lang]).astype(np.int64)
    car = (brand == XIAOMI) & (rng.random(m) < 0.45)
    key = np.where(brand == APPLE, 2, car.astype(np.int64))
    phone_a = np.array(_PHONE_ASPECTS)[rng.integers(0, len(_PHONE_ASPECTS), m)]
    car_a = np.array(_CAR_ASPECTS)[rng.integers(0, len(_CAR_ASPECTS), m)]
    aspect = np.where(car, car_a, phone_a)
    # P(positive), P(neutral) by brand (rows) and language (columns)
    p_pos = np.array([[0.45, 0.35, 0.35], [0.30, 0.45, 0.40]])[brand, lang]
    p_neu = np.array([[0.30, 0.40, 0.38], [0.35, 0.35, 0.37]])[brand, lang]
    u = rng.random(m)
    sent = np.where(u < p_pos, POS, np.where(u < p_pos + p_neu, NEU, NEG)).astype(np.int64)
    return brand, key, aspect, sent


def _inherit_labels(rng: np.random.Generator, link: np.ndarray, parent: np.ndarray,
                    labels: tuple[np.ndarray, ...]) -> None:
    """Replies usually stay on the parent's product; reposts copy its labels entirely."""
    brand, key, aspect, sent = labels
    reply = np.flatnonzero((link == REPLY) & (rng.random(len(link)) < 0.6))
    for arr in (brand, key, aspect):
        arr[reply] = arr[parent[reply]]
    repost = np.flatnonzero(link == REPOST)
    for arr in labels:
        arr[repost] = arr[parent[repost]]


def _videos(rng: np.random.Generator, plat: np.ndarray, link: np.ndarray, parent: np.ndarray,
            n_videos: int) -> np.ndarray:
    """Video of each Bilibili post (Zipf-popular); replies stay on their parent's video."""
    video = np.full(len(plat), -1, np.int64)
    on = np.flatnonzero(plat == BL)
    w = 1.0 / np.arange(1, n_videos + 1) ** 1.1
    video[on] = rng.choice(n_videos, len(on), p=w / w.sum())
    replies = on[link[on] == REPLY]
    for _ in range(200):  # parents come first, but chains need a few passes
        new = video[parent[replies]]
        if np.array_equal(new, video[replies]):
            break
        video[replies] = new
    return video


def _organic_texts(rng: np.random.Generator, acc: _Accounts, authors: np.ndarray,
                   plat: np.ndarray, link: np.ndarray, parent: np.ndarray, key: np.ndarray,
                   aspect: np.ndarray, sent: np.ndarray) -> list[str]:
    """Texts of the organic posts: originals and replies first, then reposts."""
    m = len(authors)
    texts = [""] * m
    lang = acc.lang[authors].tolist()
    kols = _kol_names(acc)
    names = acc.names
    pauthor = np.where(parent >= 0, authors[np.maximum(parent, 0)], 0).tolist()
    cols = [plat.tolist(), link.tolist(), key.tolist(), aspect.tolist(), sent.tolist()]
    chunk = 65536
    repost_bytes: dict[int, int] = {}
    for lo in range(0, m, chunk):
        r_rows = rng.integers(0, 256, (min(chunk, m - lo), _K), dtype=np.uint8).tolist()
        for i, r in enumerate(r_rows, lo):
            pl, lk, ky, asp, st = cols[0][i], cols[1][i], cols[2][i], cols[3][i], cols[4][i]
            if lk == REPOST:
                repost_bytes[i] = r[0]
                continue
            text = _compose(lang[i], ky, asp, st, pl, r)
            if lk == REPLY:
                text = _reply_text(lang[i], pl, names[pauthor[i]], text, r)
            else:
                text = _decorate(text, lang[i], pl, ky, st, r, kols[pl])
            texts[i] = text
    parents = parent.tolist()
    for i, r0 in repost_bytes.items():
        texts[i] = _repost_text(cols[0][i], names[pauthor[i]], texts[parents[i]], r0)
    return texts


def _kol_names(acc: _Accounts) -> list[list[str]]:
    """Handles of the most active accounts per platform (they get mentioned)."""
    out: list[list[str]] = []
    organic = acc.campaign < 0
    for p in range(3):
        idx = np.flatnonzero(organic & (acc.platform == p))
        top = idx[np.argsort(-acc.weight[idx], kind="stable")[: max(5, len(idx) // 200)]]
        out.append([acc.names[i] for i in top.tolist()] or ["someone"])
    return out


def _compose(lang: int, key: int, aspect: int, sent: int, plat: int, r: list[int]) -> str:
    """One opinion about a product's aspect, chosen by the random bytes ``r``."""
    v = _VOCABS[lang]
    ptype = 1 if key == 1 else 0
    prods = v.products[key]
    terms = v.terms[ptype][aspect]
    a = terms[r[1] % len(terms)]
    special = v.aspect_preds.get((aspect, sent))
    pool = special if special and r[2] < 96 else v.preds[sent]
    mode = r[6]
    if plat == BL and mode < 100:
        tpls = v.short
    elif sent == NEU and mode < 140:
        tpls = v.questions
    elif mode >= 230:
        tpls = v.compare
    else:
        tpls = v.templates[ptype]
    rivals = v.rivals[key]
    text = tpls[r[7] % len(tpls)].format(
        p=prods[r[0] % len(prods)], p2=rivals[r[12] % len(rivals)], a=a,
        A=a[:1].upper() + a[1:], q=pool[r[3] % len(pool)], n=2 + r[4] % 11,
        u=v.units[r[5] % len(v.units)], km=_KMS[r[12] % len(_KMS)],
        b=v.brands[0 if key < 2 else 1])
    if r[8] < 40:
        text = v.openers[r[9] % len(v.openers)] + text
    if r[10] < 80 and (plat != BL or mode >= 100):
        closers = v.closers[sent]
        text = _join(text, closers[r[11] % len(closers)], v.seps[r[11] >> 6], lang)
    if lang == EN and r[13] < 30:
        text = text.lower()
    return text


def _join(text: str, extra: str, sep: str, lang: int) -> str:
    """Two sentences as one post."""
    if text[-1:] in ".!?:！？。～…：":
        return text + ("" if lang == ZH else " ") + extra
    return text + sep + extra


def _decorate(text: str, lang: int, plat: int, key: int, sent: int, r: list[int],
              kols: list[str]) -> str:
    """Emoji, hashtags, a mention or a URL, now and then."""
    v = _VOCABS[lang]
    if r[14] < 80:
        pool = _WEIBO_EMOTICONS[sent] if plat != TW and lang == ZH and r[15] < 150 else _EMOJI[sent]
        k = 1 if r[16] < 170 else 1 + r[16] % 3
        e = pool[r[17] % len(pool)]
        text += (" " if r[15] & 1 else "") + (e * k if r[16] & 1 else "".join(
            pool[(r[17] + 3 * j) % len(pool)] for j in range(k)))
    if r[18] < 45 and plat != BL:
        tags = v.tags[key]
        chosen = [tags[r[19] % len(tags)]]
        if r[19] >= 160:
            chosen.append(tags[(r[19] + 1 + r[18] % 3) % len(tags)])
        marked = " ".join(_fmt_tag(t, plat) for t in chosen)
        text = f"{marked} {text}" if plat == WB and r[18] & 1 else f"{text} {marked}"
    if r[20] < 16:
        handles = v.official[0 if key < 2 else 1] if r[21] < 128 else kols
        handle = handles[r[21] % len(handles)]
        text = f"@{handle} {text}" if r[20] & 1 else f"{text} @{handle}"
    if r[22] < 18 and plat != BL:
        text += " " + _organic_url(lang, r)
    return text


def _organic_url(lang: int, r: list[int]) -> str:
    """A link to one of many news, review and social sites."""
    domains = _DOMAINS[lang if r[23] < 200 else EN]
    host = domains[r[23] % len(domains)]
    num = r[24] * 65536 + r[25] * 256 + r[26]
    if host == "youtube.com":
        return f"https://www.youtube.com/watch?v={_token(num * 131 + r[27], 11)}"
    if host == "b23.tv":
        return f"https://b23.tv/{_token(num, 7)}"
    section = _URL_SECTIONS[r[27] % len(_URL_SECTIONS)]
    slug = _URL_SLUGS[(r[27] >> 3) % len(_URL_SLUGS)]
    www = "www." if r[25] & 1 and host.count(".") == 1 else ""
    return f"https://{www}{host}/{section}/{slug}-{num}"


_TOKEN_CHARS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _token(num: int, length: int) -> str:
    """``length`` characters derived from ``num`` (ids, short links, tracking values)."""
    out = []
    x = num * 2654435761 + 12345
    for _ in range(length):
        x, d = divmod(x * 31 + 7, len(_TOKEN_CHARS))
        out.append(_TOKEN_CHARS[d])
        x += num
    return "".join(out)


def _reply_text(lang: int, plat: int, to: str, body: str, r: list[int]) -> str:
    """A reply: the platform's address form, a lead (agree, disagree, ask) and maybe more."""
    leads = _VOCABS[lang].leads[r[24] % 3]
    lead = leads[r[25] % len(leads)]
    text = lead if r[26] < 90 else _join(lead, body, " " if lang != ZH else "，", lang)
    if r[26] >= 200:
        text = body
    if plat == WB:
        return f"回复 @{to}: {text}"
    if plat == BL:
        return f"回复 @{to} :{text}"
    return f"@{to} {text}"


def _repost_text(plat: int, to: str, original: str, r: int) -> str:
    """A repost: ``RT @name: text`` on Twitter, a short comment or ``转发微博`` on Weibo."""
    if plat == TW:
        return f"RT @{to}: {original}"
    return _WEIBO_REPOSTS[r % len(_WEIBO_REPOSTS)]


# --- campaigns -----------------------------------------------------------------------


def _realize(c: _Campaign, rng: np.random.Generator, out: _RowBuilder, ctx: _Ctx) -> None:
    """Write the posts of campaign ``c`` into ``out``."""
    rnd = random.Random(int(rng.integers(0, 2**62)))
    handlers = {CP: _copy_paste, LR: _light_rewrite, LP: _link_push, HF: _hashtag_flood,
                RR: _reply_raid, RG: _repost_ring, DF: _danmaku_flood}
    if c.kind == DF:
        c.detail["videos"] = sorted({rnd.randrange(min(ctx.n_videos, 40)) for _ in range(2)})
    handlers[c.kind](c, rnd, out, ctx)


def _emit(c: _Campaign, out: _RowBuilder, t: int, local: int, text: str, **kw: int) -> int:
    sent = POS if c.stance == PRAISE else NEG
    return out.add(t, int(c.accounts[local]), text, SRC_CAMPAIGN, campaign=c.index,
                   brand=c.brand, sentiment=sent, **kw)


def _stance_sentence(c: _Campaign, rnd: random.Random) -> str:
    """An opinion in the campaign's favour, in the same words organic posts use."""
    key = 2 if c.brand == APPLE else rnd.choice((0, 1))
    aspect = rnd.choice(_CAR_ASPECTS if key == 1 else _PHONE_ASPECTS)
    r = [rnd.randrange(256) for _ in range(_K)]
    r[6] = r[6] % 230
    r[13] = 255
    return _compose(c.lang, key, aspect, POS if c.stance == PRAISE else NEG, c.platform, r)


def _emoji(stance: int, rnd: random.Random) -> str:
    pool = _EMOJI[POS if stance == PRAISE else NEG]
    return "".join(rnd.choice(pool) for _ in range(rnd.randint(1, 3)))


def _sentences(parts: list[str], lang: int) -> str:
    """Sentences joined the way the language writes them."""
    out = parts[0]
    for part in parts[1:]:
        out = _join(out, part, "，" if lang == ZH else ". ", lang)
    return out


def _message(c: _Campaign, rnd: random.Random) -> str:
    """A full campaign message: slogan, an opinion, maybe a call to action and emoji."""
    parts = [rnd.choice(_SLOGANS[c.key][c.lang]), _stance_sentence(c, rnd)]
    if rnd.random() < 0.4:
        parts.reverse()
    if rnd.random() < 0.5:
        parts.append(rnd.choice(_CTAS[c.stance][c.lang]))
    text = _sentences(parts, c.lang)
    return text + " " + _emoji(c.stance, rnd) if rnd.random() < 0.5 else text


def _copy_paste(c: _Campaign, rnd: random.Random, out: _RowBuilder, ctx: _Ctx) -> None:
    messages = [_message(c, rnd) for _ in range(rnd.randint(1, 3))]
    c.detail["texts"] = messages
    for b, burst in enumerate(c.bursts):
        for local, off in zip(burst.members.tolist(), burst.offsets.tolist(), strict=True):
            _emit(c, out, burst.start + off, local, messages[b % len(messages)])


def _light_rewrite(c: _Campaign, rnd: random.Random, out: _RowBuilder, ctx: _Ctx) -> None:
    originals = [_message(c, rnd) for _ in range(rnd.randint(2, 4))]
    c.detail["texts"] = originals
    for b, burst in enumerate(c.bursts):
        base = originals[b % len(originals)]
        for local, off in zip(burst.members.tolist(), burst.offsets.tolist(), strict=True):
            _emit(c, out, burst.start + off, local, rewrite(base, c.lang, rnd))


def _link_push(c: _Campaign, rnd: random.Random, out: _RowBuilder, ctx: _Ctx) -> None:
    domain = rnd.choice(_CAMPAIGN_DOMAINS[c.key])
    section = rnd.choice(("a", "p", "news", "s"))
    base = f"https://{domain}/{section}/{_token(rnd.getrandbits(30), 8)}"
    code = _token(rnd.getrandbits(30), 5)
    c.detail["url"] = base
    for burst in c.bursts:
        for local, off in zip(burst.members.tolist(), burst.offsets.tolist(), strict=True):
            url = base + "?" + _tracking(rnd, code)
            _emit(c, out, burst.start + off, local, _link_text(c, rnd, url))


def _tracking(rnd: random.Random, code: str) -> str:
    """Tracking parameters that differ from post to post."""
    params = [f"utm_source={rnd.choice(_UTM_SOURCES)}"]
    if rnd.random() < 0.7:
        params.append(f"utm_medium={rnd.choice(('social', 'share', 'dm', 'post'))}")
    params.append(f"utm_campaign={code}")
    if rnd.random() < 0.6:
        params.append(f"utm_content={_token(rnd.getrandbits(24), 6)}")
    if rnd.random() < 0.3:
        params.append(f"spm={rnd.randint(1000, 9999)}.{rnd.randint(100, 999)}")
    rnd.shuffle(params)
    return "&".join(params)


def _link_text(c: _Campaign, rnd: random.Random, url: str) -> str:
    """A short push for a link: hook, maybe a slogan, the URL, maybe emoji."""
    hook = rnd.choice(_LINK_HOOKS[c.lang])
    extra = rnd.random()
    if extra < 0.35:
        hook = _sentences([rnd.choice(_SLOGANS[c.key][c.lang]), hook], c.lang)
    elif extra < 0.6:
        hook = _sentences([hook, _stance_sentence(c, rnd)], c.lang)
    text = f"{hook} {url}" if rnd.random() < 0.8 else f"{url} {hook}"
    return text + " " + _emoji(c.stance, rnd) if rnd.random() < 0.4 else text


def _hashtag_flood(c: _Campaign, rnd: random.Random, out: _RowBuilder, ctx: _Ctx) -> None:
    tags = rnd.sample(_FLOOD_TAGS[c.key][c.lang], rnd.randint(2, 3))
    c.detail["hashtags"] = tags
    for burst in c.bursts:
        for local, off in zip(burst.members.tolist(), burst.offsets.tolist(), strict=True):
            text = _stance_sentence(c, rnd)
            if rnd.random() < 0.4:
                text = _sentences([rnd.choice(_SLOGANS[c.key][c.lang]), text], c.lang)
            marked = " ".join(_fmt_tag(t, c.platform) for t in rnd.sample(tags, len(tags)))
            text = f"{marked} {text}" if rnd.random() < 0.4 else f"{text} {marked}"
            _emit(c, out, burst.start + off, local, text)


def _reply_raid(c: _Campaign, rnd: random.Random, out: _RowBuilder, ctx: _Ctx) -> None:
    want = NEG if c.stance == PRAISE else POS
    for burst in c.bursts:
        target = ctx.targets.pick(c.platform, c.brand, want, burst.start, rnd)
        start = burst.start
        to = ""
        if target >= 0:  # (only a tiny simulation has no post to raid: then they just post)
            c.targets.append(target)
            start = max(start, int(ctx.org.t[target]) + 60)
            to = ctx.acc.names[int(ctx.org.author[target])]
        for local, off in zip(burst.members.tolist(), burst.offsets.tolist(), strict=True):
            text = _raid_line(c, rnd)
            if to:
                text = f"回复 @{to}: {text}" if c.platform == WB else f"@{to} {text}"
            _emit(c, out, min(start + off, ctx.span - 1), local, text, parent=target,
                  link=REPLY if target >= 0 else NONE)


def _raid_line(c: _Campaign, rnd: random.Random) -> str:
    """What one raider says: a stock line, sometimes with an opinion or emoji."""
    line = rnd.choice(_RAID_LINES[c.key][c.lang])
    r = rnd.random()
    if r < 0.35:
        return _sentences([line, _stance_sentence(c, rnd)], c.lang)
    if r < 0.6:
        return line + " " + _emoji(c.stance, rnd)
    return line


def _repost_ring(c: _Campaign, rnd: random.Random, out: _RowBuilder, ctx: _Ctx) -> None:
    for b, burst in enumerate(c.bursts):
        members = burst.members.tolist()
        offsets = burst.offsets.tolist()
        lead = b % c.n_accounts
        if lead in members:  # members take turns starting a round
            members.remove(lead)
            members.insert(0, lead)
        text = _message(c, rnd)
        seed_row = _emit(c, out, burst.start, members[0], text)
        name = ctx.acc.names[int(c.accounts[members[0]])]
        for local, off in zip(members[1:], offsets[1:], strict=True):
            _emit(c, out, burst.start + off, local,
                  _repost_text(c.platform, name, text, rnd.randrange(256)),
                  parent=seed_row, link=REPOST)


def _danmaku_flood(c: _Campaign, rnd: random.Random, out: _RowBuilder, ctx: _Ctx) -> None:
    videos = c.detail["videos"]
    lines = []
    for b, burst in enumerate(c.bursts):
        line = rnd.choice(_DANMAKU[c.key]) + rnd.choice(_DANMAKU_TAILS)
        lines.append(line)
        video = videos[b % len(videos)]
        for local, off in zip(burst.members.tolist(), burst.offsets.tolist(), strict=True):
            _emit(c, out, burst.start + off, local, line, video=video)
    c.detail["texts"] = sorted(set(lines))


def rewrite(text: str, lang: str | int, rnd: random.Random) -> str:
    """A light rewrite of ``text``: phrase and word swaps, punctuation, emoji, a few
    characters added or removed, until its 3-character-shingle Jaccard to ``text`` is
    between 0.4 and 0.8.

    Example:
        >>> import random
        >>> old = "The SU7 is the best EV for the money. Share this!"
        >>> new = rewrite(old, "en", random.Random(1))
        >>> new != old and 0.4 <= char_jaccard(new, old) <= 0.8
        True
    """
    code = LANGS.index(lang) if isinstance(lang, str) else lang
    swaps = [(old, alts) for old, alts in _SWAPS[code] if old in text]
    best = text
    for _ in range(8):
        goal = rnd.uniform(0.45, 0.75)
        cur = text
        for _ in range(16):
            cur = _edit(cur, code, rnd, swaps)
            if char_jaccard(text, cur) <= goal:
                break
        if cur != text and 0.4 <= char_jaccard(text, cur) <= 0.8:
            return cur
        best = cur if cur != text else best
    return best if best != text else text + " " + rnd.choice(_EMOJI[0])


#: Cyrillic letters that look like Latin ones, as copy-paste tools swap them in.
_LOOKALIKES = {"a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у",
               "i": "і", "s": "ѕ", "A": "А", "B": "В", "E": "Е", "O": "О", "T": "Т"}
#: Characters no reader sees: zero-width space, soft hyphen, word joiner.
_INVISIBLE = ("\u200b", "\u00ad", "\u2060")


def salted(text: str, rnd: random.Random) -> str:
    """``text`` as a copy-paste crew posts it past duplicate filters: each copy salted
    its own way with invisible characters, look-alike Cyrillic letters and accents,
    none of which a reader notices.

    Example:
        >>> import random
        >>> script = "Stop the lies about the recall"
        >>> copy = salted(script, random.Random(1))
        >>> len(copy) > len(script), char_jaccard(copy, script) < 0.1
        (True, True)
    """
    out = []
    for char in text:
        if char in _LOOKALIKES and rnd.random() < 0.5:
            char = _LOOKALIKES[char]
        elif char.isalpha() and rnd.random() < 0.2:
            char += "\u0301"  # a combining acute accent
        out.append(char + (rnd.choice(_INVISIBLE) if rnd.random() < 0.5 else ""))
    return "".join(out)


def _swap_table(lang: int) -> list[tuple[str, tuple[str, ...]]]:
    """Interchangeable phrases (predicates, closers, calls to action, openers) and word
    synonyms of a language, longest first."""
    pools: list[tuple[str, ...]] = [*_PREDS[lang], *_CLOSERS[lang], _OPENERS[lang],
                                    _CTAS[PRAISE][lang], _CTAS[ATTACK][lang]]
    for (_, sent), special in _ASPECT_PREDS[lang].items():
        pools.append(special + _PREDS[lang][sent])
    table: dict[str, tuple[str, ...]] = {}
    for pool in pools:
        for phrase in pool:
            alts = tuple(p for p in pool if p != phrase)
            if alts and len(phrase) > 1:
                table.setdefault(phrase.strip(), tuple(a.strip() for a in alts))
    for word, alts in _SYNONYMS[lang].items():
        table.setdefault(word, alts)
    return sorted(table.items(), key=lambda kv: (-len(kv[0]), kv[0]))


_SWAPS = tuple(_swap_table(lang) for lang in (ZH, EN, DE))


def _edit(text: str, lang: int, rnd: random.Random,
          swaps: list[tuple[str, tuple[str, ...]]]) -> str:
    """One random small edit."""
    op = rnd.random()
    if op < 0.45:
        swapped = _swap(text, lang, rnd, swaps)
        if swapped != text:
            return swapped
    if op < 0.6:
        spots = [i for i, ch in enumerate(text) if ch in _PUNCT_SWAPS]
        if spots:
            i = rnd.choice(spots)
            return text[:i] + rnd.choice(_PUNCT_SWAPS[text[i]]) + text[i + 1:]
    if op < 0.75:
        e = rnd.choice(_EMOJI[rnd.choice((0, 0, 1))])
        return e + " " + text if rnd.random() < 0.3 else text + e
    if op < 0.9:
        return _insert_filler(text, lang, rnd)
    return _delete_some(text, lang, rnd)


def _swap(text: str, lang: int, rnd: random.Random,
          swaps: list[tuple[str, tuple[str, ...]]]) -> str:
    """Replace one phrase or word with an equivalent (whole words only outside Chinese)."""
    present = [(old, alts) for old, alts in swaps if old in text]
    if not present:
        return text
    old, alts = rnd.choice(present)
    new = rnd.choice(alts)
    if lang == ZH:
        return text.replace(old, new, 1)
    return re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", lambda _: new, text, count=1)


def _insert_filler(text: str, lang: int, rnd: random.Random) -> str:
    filler = rnd.choice(_FILLERS[lang])
    if lang == ZH:  # mostly at a clause boundary, sometimes inside a word
        spots = [0] + [i + 1 for i, ch in enumerate(text) if ch in "，。！？ "]
        i = rnd.choice(spots) if rnd.random() < 0.7 else rnd.randrange(len(text) + 1)
        return text[:i] + filler + text[i:]
    words = text.split(" ")
    words.insert(rnd.randrange(len(words) + 1), filler)
    return " ".join(words)


def _delete_some(text: str, lang: int, rnd: random.Random) -> str:
    if lang != ZH and text.count(" ") >= 4:
        words = text.split(" ")
        del words[rnd.randrange(len(words))]
        return " ".join(words)
    if len(text) < 6:
        return text
    i = rnd.randrange(len(text))
    return text[:i] + text[i + rnd.randint(1, 2):]


# --- organic outrage -----------------------------------------------------------------


def _outrage(rng: np.random.Generator, posts_per: np.ndarray, acc: _Accounts,
             out: _RowBuilder, n_videos: int, span: int) -> tuple[np.ndarray, str, int]:
    """The outrage burst: many organic accounts, their own words, spread over hours."""
    event = list(_EVENTS)[int(rng.integers(0, len(_EVENTS)))]
    days = span // 86400
    local = int(rng.integers(9 * 3600, 21 * 3600))
    t_event = int(np.clip(int(days * 0.45) * 86400 + local - 8 * 3600, 0, span - 3600))
    if not len(posts_per):
        return np.zeros(0, np.int64), event, t_event
    accounts = _outrage_accounts(rng, acc, len(posts_per))
    rnd = random.Random(int(rng.integers(0, 2**62)))
    seen: set[str] = set()
    videos = sorted({int(v) for v in rng.integers(0, min(n_videos, 20), 3)})
    spec = _EVENTS[event]
    for a, k in zip(accounts.tolist(), posts_per.tolist(), strict=True):
        lang, plat = int(acc.lang[a]), int(acc.platform[a])
        lag = 0 if lang == ZH else rnd.uniform(3600, 5 * 3600)
        t = t_event + lag + math.exp(rnd.gauss(math.log(2.5 * 3600), 0.8))
        for _ in range(k):
            text = _outrage_text(spec, lang, plat, rnd)
            for _ in range(5):
                if text not in seen:
                    break
                text = _outrage_text(spec, lang, plat, rnd)
            seen.add(text)
            out.add(int(min(t, span - 1)), a, text, SRC_OUTRAGE, brand=XIAOMI,
                    aspect=_A[spec["aspect"]], sentiment=NEG,
                    video=rnd.choice(videos) if plat == BL else -1)
            t += math.exp(rnd.gauss(math.log(1.5 * 3600), 0.7))
    return accounts, event, t_event


def _outrage_accounts(rng: np.random.Generator, acc: _Accounts, n: int) -> np.ndarray:
    """Organic accounts that join the outrage, mostly Chinese-speaking."""
    langs = rng.choice(3, n, p=[0.65, 0.25, 0.10])
    chosen = []
    organic = acc.campaign < 0
    for g in range(3):
        k = int((langs == g).sum())
        pool = np.flatnonzero(organic & (acc.lang == g))
        if not len(pool):
            pool = np.flatnonzero(organic)
        chosen.append(rng.choice(pool, k, replace=k > len(pool)))
    return rng.permutation(np.concatenate(chosen))


def _outrage_text(spec: dict[str, Any], lang: int, plat: int, rnd: random.Random) -> str:
    """An angry post in the poster's own words: a reference to the event plus 1-3 other
    thoughts, in any order, with the person's own punctuation and emoji."""
    pools = _OUTRAGE[lang]
    ref = rnd.choice(pools["ref"]).format(r=rnd.choice(spec["refs"][lang]))
    others = rnd.sample(["personal", "demand", "judgment", "reaction"], rnd.randint(1, 3))
    parts = [rnd.choice(pools[name]) for name in others]
    parts.insert(0 if rnd.random() < 0.6 else rnd.randint(0, len(parts)), ref)
    if lang == ZH:
        text = "".join(p + rnd.choice(("，", "。", "！", "！！", " ", "…")) for p in parts)
        text = text.rstrip("， ")
    else:
        text = " ".join(parts)
    if rnd.random() < 0.5:
        text += rnd.choice(("", " ")) + "".join(rnd.choice(_EMOJI[2])
                                                 for _ in range(rnd.randint(1, 3)))
    if plat != BL and rnd.random() < 0.3:
        tag = _fmt_tag(spec["tag"][lang], plat)
        text = f"{tag} {text}" if plat == WB else f"{text} {tag}"
    if lang == EN and rnd.random() < 0.2:
        text = text.lower()
    return text


# --- assembly ------------------------------------------------------------------------


def _concat(parts: list[_Rows]) -> _Rows:
    ints = ("t", "author", "parent", "link", "video", "source", "campaign", "brand", "aspect",
            "sentiment")
    arrays = {f: np.concatenate([np.asarray(getattr(p, f), np.int64) for p in parts])
              for f in ints}
    return _Rows(text=[s for p in parts for s in p.text], **arrays)


def _post_ids(rng: np.random.Generator, rows: _Rows, plat: np.ndarray, rank: np.ndarray,
              t0: int) -> np.ndarray:
    """Platform-style numeric ids: Twitter snowflakes (time in the id), Weibo mids,
    Bilibili comment ids; unique across platforms."""
    m = len(rank)
    ms = (t0 + rows.t) * 1000 + rng.integers(0, 1000, m)
    if t0 * 1000 > _TW_EPOCH_MS:
        tw = ((ms - _TW_EPOCH_MS) << 22) | (rank & 0x3FFFFF)
    else:
        tw = 9_000_000_000_000_000 + rank * 16 + rng.integers(0, 16, m)
    wb = 5_000_000_000_000_000 + rank * 16 + rng.integers(0, 16, m)
    bl = 200_000_000_000 + rank * 8 + rng.integers(0, 8, m)
    ids = np.select([plat == TW, plat == WB], [tw, wb], bl)
    return ids.astype(str).astype(object)


def _roots(rows: _Rows) -> np.ndarray:
    """The first post of each reply chain."""
    ptr = np.where((rows.link == REPLY) & (rows.parent >= 0), rows.parent,
                   np.arange(len(rows.t)))
    for _ in range(64):
        nxt = ptr[ptr]
        if np.array_equal(nxt, ptr):
            break
        ptr = nxt
    return ptr


def _assemble(rows: _Rows, acc: _Accounts, videos: list[str], t0: int,
              campaigns: list[_Campaign], rng: np.random.Generator
              ) -> tuple[dict[str, list[Any]], dict[str, list[Any]], np.ndarray, np.ndarray]:
    """Sort by time, give ids, and lay the posts out as columns."""
    m = len(rows.t)
    order = np.argsort(rows.t, kind="stable")
    rank = np.empty(m, np.int64)
    rank[order] = np.arange(m)
    plat = acc.platform[rows.author]
    pids = _post_ids(rng, rows, plat, rank, t0)
    reply = _ids_where(pids, rows.parent, (rows.parent >= 0) & (rows.link == REPLY))
    repost = _ids_where(pids, rows.parent, (rows.parent >= 0) & (rows.link == REPOST))
    root = _roots(rows)
    vid = np.array(videos + [None], dtype=object)
    root_video = rows.video[root]
    thread = np.where(plat == BL, vid[np.where(root_video >= 0, root_video, len(videos))],
                      np.where(rows.link == REPOST, None, pids[root]))
    stamps = (t0 + rows.t)[order]
    created = np.datetime_as_string(stamps.astype("datetime64[s]"), unit="s")
    ids = np.array(acc.ids, dtype=object)
    names = np.array(acc.names, dtype=object)
    text = rows.text
    columns = {
        "platform": np.array(PLATFORMS, dtype=object)[plat][order].tolist(),
        "post_id": pids[order].tolist(),
        "author_id": ids[rows.author][order].tolist(),
        "author_name": names[rows.author][order].tolist(),
        "created_at": [s + "Z" for s in created.tolist()],
        "text": [text[i] for i in order.tolist()],
        "lang": np.array(LANGS, dtype=object)[acc.lang[rows.author]][order].tolist(),
        "reply_to_post_id": reply[order].tolist(),
        "repost_of_post_id": repost[order].tolist(),
        "thread_id": thread[order].tolist(),
    }
    labels = _label_columns(rows, campaigns, order)
    return columns, labels, stamps, pids


def _ids_where(pids: np.ndarray, rows: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``pids[rows]`` where ``mask``, ``None`` elsewhere."""
    out = np.full(len(rows), None, dtype=object)
    out[mask] = pids[rows[mask]]
    return out


def _label_columns(rows: _Rows, campaigns: list[_Campaign],
                   order: np.ndarray) -> dict[str, list[Any]]:
    def named(values: np.ndarray, names: tuple[str, ...] | list[str]) -> list[Any]:
        table = np.array(list(names) + [None], dtype=object)
        return table[np.where(values >= 0, values, len(names))][order].tolist()

    cids = [_cid(c.index, len(campaigns)) for c in campaigns]
    campaign = np.where(rows.source == SRC_CAMPAIGN, rows.campaign, -1)
    return {"source": named(rows.source, SOURCES), "campaign_id": named(campaign, cids),
            "brand": named(rows.brand, BRANDS), "aspect": named(rows.aspect, ASPECTS),
            "sentiment": named(rows.sentiment, SENTIMENTS)}


def _cid(index: int, total: int) -> str:
    return f"c{index + 1:0{max(2, len(str(total)))}d}"


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _truth(seed: int, n: int, start: datetime, days: int, campaigns: list[_Campaign],
           acc: _Accounts, rows: _Rows, pids: np.ndarray, out_acc: np.ndarray, event: str,
           t_event: int,
           labels: dict[str, list[Any]]) -> dict[str, Any]:
    """The ground truth :func:`write_truth` writes."""
    t0 = int(start.timestamp())
    entries = []
    mapping: dict[str, str] = {}
    cover_rows = rows.source == SRC_COVER
    for c in sorted(campaigns, key=lambda c: c.index):
        cid = _cid(c.index, len(campaigns))
        ids = sorted(acc.ids[a] for a in c.accounts.tolist())
        mapping.update(dict.fromkeys(ids, cid))
        mine = rows.t[(rows.source == SRC_CAMPAIGN) & (rows.campaign == c.index)]
        entry = {"campaign_id": cid, "kind": KINDS[c.kind], "stance": STANCES[c.stance],
                 "brand": BRANDS[c.brand], "platform": PLATFORMS[c.platform],
                 "lang": LANGS[c.lang], "accounts": ids, "posts": int(len(mine)),
                 "cover_posts": int((cover_rows & np.isin(rows.author, c.accounts)).sum()),
                 "bursts": len([b for b in c.bursts if len(b.members)]),
                 "first_post": _iso(t0 + int(mine.min())) if len(mine) else None,
                 "last_post": _iso(t0 + int(mine.max())) if len(mine) else None}
        entry.update(_detail(c, pids))
        entries.append(entry)
    out_rows = rows.source == SRC_OUTRAGE
    return {
        "seed": seed, "n_posts": n, "start": _iso(t0), "days": days,
        "campaigns": entries, "accounts": dict(sorted(mapping.items())),
        "organic_outrage": {
            "event": event, "description": _EVENTS[event]["description"],
            "start": _iso(t_event), "accounts": sorted({acc.ids[a] for a in out_acc.tolist()}),
            "posts": int(out_rows.sum())},
        "organic_opinion": _opinion(labels),
    }


def _detail(c: _Campaign, pids: np.ndarray) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    for name in ("texts", "url", "hashtags"):
        if name in c.detail:
            detail[name] = c.detail[name]
    if c.kind == RR:
        detail["targets"] = [str(pids[t]) for t in c.targets]
    return detail


def _opinion(labels: dict[str, list[Any]]) -> dict[str, dict[str, int]]:
    """Sentiment counts per brand over the posts of real people (organic and outrage)."""
    counts = {b: dict.fromkeys(SENTIMENTS, 0) for b in BRANDS}
    for src, brand, sent in zip(labels["source"], labels["brand"], labels["sentiment"],
                                strict=True):
        if src in ("organic", "outrage") and brand and sent:
            counts[brand][sent] += 1
    return counts


# --- writing -------------------------------------------------------------------------


def write_posts(sim: Simulation, path: str | Path) -> Path:
    """Write the posts: JSON Lines for ``.jsonl`` (or ``.ndjson``), generic CSV for
    ``.csv``, the coordination-network-toolkit CSV for ``.cnt.csv`` (``.gz`` compresses
    any of them); any other name is a :class:`ValueError`.

    Example:
        >>> import tempfile, os
        >>> d = tempfile.mkdtemp()
        >>> p = write_posts(simulate(300, seed=2), os.path.join(d, "posts.cnt.csv"))
        >>> p.read_text(encoding="utf-8").splitlines()[0]
        'message_id,user_id,username,repost_id,reply_id,message,timestamp,urls'
    """
    target = Path(path)
    name = target.name.lower()
    gz = name.endswith(".gz")
    base = name[:-3] if gz else name
    if base.endswith(".csv"):
        with _open_text(target, gz) as f:
            if base.endswith(".cnt.csv"):
                _write_cnt(sim, f)
            else:
                _write_csv(sim, f)
    elif base.endswith((".jsonl", ".ndjson")):
        with gzip.open(target, "wb") if gz else open(target, "wb") as raw:
            _write_jsonl(sim, raw)
    else:  # "x.parquet" written as JSON Lines would be a file that is not what it says
        raise ValueError(f"{target}: write posts as .jsonl, .csv or .cnt.csv (each may end "
                         "in .gz)")
    return target


class _ByteSink(Protocol):
    def write(self, data: bytes, /) -> int: ...


def _open_text(target: Path, gz: bool) -> TextIO:
    if gz:
        return gzip.open(target, "wt", encoding="utf-8", newline="")
    return open(target, "w", encoding="utf-8", newline="")


def _write_jsonl(sim: Simulation, raw: _ByteSink) -> None:
    buf: list[bytes] = []
    for post in sim.iter_posts():
        buf.append(orjson.dumps(post))
        if len(buf) >= 10_000:
            raw.write(b"\n".join(buf) + b"\n")
            buf.clear()
    if buf:
        raw.write(b"\n".join(buf) + b"\n")


def _write_csv(sim: Simulation, f: TextIO) -> None:
    w = csv.writer(f)
    w.writerow(POST_FIELDS)
    cols = [sim.columns[name] for name in POST_FIELDS]
    w.writerows(["" if v is None else v for v in row] for row in zip(*cols, strict=True))


def _write_cnt(sim: Simulation, f: TextIO) -> None:
    w = csv.writer(f)
    w.writerow(CNT_FIELDS)
    c = sim.columns
    for row in zip(c["post_id"], c["author_id"], c["author_name"], c["repost_of_post_id"],
                   c["reply_to_post_id"], c["text"], sim.timestamps.tolist(), strict=True):
        pid, uid, uname, repost, reply, text, ts = row
        w.writerow((pid, uid, uname, repost or "", reply or "", text, ts,
                    " ".join(extract_urls(text))))


def write_truth(sim: Simulation, path: str | Path) -> Path:
    """Write the ground truth as indented JSON.

    Example:
        >>> import tempfile, os, json
        >>> p = write_truth(simulate(300), os.path.join(tempfile.mkdtemp(), "truth.json"))
        >>> json.loads(p.read_text())["n_posts"]
        300
    """
    target = Path(path)
    target.write_bytes(orjson.dumps(sim.truth, option=orjson.OPT_INDENT_2))
    return target
