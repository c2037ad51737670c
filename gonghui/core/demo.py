"""The demo county (and province): deterministic, realistic data for trying and measuring.

``seed_demo`` runs each area's seeder in order with one ``DemoContext``; an area adds its
records by adding its seeder to ``SEEDERS``. The same scale and seed give the same records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Scale:
    name: str
    counties: int  # county federations (1 for a county-run instance)
    townships_per_county: int
    grassroots_per_county: int  # own grassroots unions
    joint_per_county: int  # joint grassroots unions
    employers_per_county: int
    workers_per_county: int


SCALES = {
    "tiny": Scale("tiny", 1, 3, 10, 2, 60, 600),
    "county": Scale("county", 1, 20, 340, 60, 3000, 60_000),
    # About 100 counties of Jiangxi: 1,000,000 workers, 100,000 employers.
    "province": Scale("province", 100, 15, 100, 20, 1000, 10_000),
}

SEEDERS = [
    "gonghui.organizations.demo.seed",
    "gonghui.members.demo.seed",
    "gonghui.members.demo.seed_memberships",
    "gonghui.accounts.demo.seed",
    "gonghui.rights.demo.seed",
]


@dataclass
class DemoContext:
    scale: Scale
    rng: random.Random
    password: str
    out: Any  # a writer with .write(str)
    data: dict[str, Any] = field(default_factory=dict)

    def say(self, message: str) -> None:
        self.out.write(message)


def run_seeders(ctx: DemoContext) -> None:
    from django.db import transaction

    # One transaction: all of the demo or none of it, and SQLite writes it in one go.
    with transaction.atomic():
        for path in SEEDERS:
            import_string(path)(ctx)


# --- names ------------------------------------------------------------------------------
# Surnames by rough frequency (the most common hundred cover ~85% of people); given names of
# one or two characters from those common in names of people born 1960–2005.

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_WEIGHTS = [max(1, 100 - i) for i in range(len(SURNAMES))]
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰华建国红梅玲飞鹏辉斌波宇浩凯健俊帆帅旭宁龙林欢佳阳"
    "晨琳颖倩婷雪慧莹晶燕萍鑫宏志峰亮成海东文斌家豪子涵思雨欣怡梓轩浩然俊杰雅婷嘉怡晓燕春生秋菊冬梅金凤玉兰"
)


def person_name(rng: random.Random) -> str:
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(GIVEN) for _ in range(length))


EMPLOYER_STEMS = (
    "鑫达 宏远 华兴 恒丰 永盛 金源 福星 瑞祥 天成 长江 鄱湖 赣丰 昌盛 德辉 锦程 顺发 盛世 新世纪 中诚 联创 "
    "华泰 东方 海纳 宏图 凯旋 百利 嘉禾 润泽 和泰 众鑫 信达 博远 富华 宝丰 安泰 康宁 金桥 绿源 晨光 明珠"
).split()
EMPLOYER_TRADES = {
    "C": [
        "机械制造",
        "纺织服装",
        "电子科技",
        "食品加工",
        "建材",
        "家具制造",
        "塑料制品",
        "五金制品",
        "鞋业",
        "化工",
    ],
    "E": ["建筑工程", "建设集团", "路桥工程", "装饰工程"],
    "F": ["商贸", "超市", "医药连锁", "农资"],
    "G": ["物流", "运输", "快递服务"],
    "H": ["酒店管理", "餐饮管理"],
    "I": ["网络科技", "信息技术"],
    "A": ["农业开发", "水产养殖", "茶业"],
    "O": ["家政服务", "物业服务", "汽车维修"],
    "Q": ["医院", "养老服务中心"],
    "P": ["职业培训学校", "幼儿园"],
    "K": ["房地产开发", "置业"],
    "L": ["人力资源服务", "劳务派遣"],
}
INDUSTRY_WEIGHTS = {
    "C": 34,
    "E": 12,
    "F": 16,
    "G": 6,
    "H": 7,
    "I": 3,
    "A": 6,
    "O": 6,
    "Q": 3,
    "P": 2,
    "K": 2,
    "L": 3,
}

TOWNSHIP_NAMES = (
    "城关 东湖 南山 西岭 北塘 汪墩 春桥 周溪 三汊港 中馆 大沙 大港 北炎 土塘 和合 阳峰 万户 蔡岭 徐埠 左里 "
    "狮山 南峰 苏山 多宝 大树 西源 芗溪 白石 龙泉 石门 青山 杨柳 桃源 梅岭 金山 清水 高田 新田 黄泥 双溪"
).split()
