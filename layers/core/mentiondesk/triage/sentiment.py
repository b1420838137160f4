"""Lexicon-and-rules sentiment for Japanese and English customer-care posts.

The label is the author's attitude toward the brand: ``positive``, ``neutral`` or ``negative``.
Support traffic is not general social media, so the lexicons are tuned to it: "still waiting",
"charged twice", 届かない, 繋がらない weigh as much as "hate" or 最悪; polite words ("please",
"hi") are not praise; and sarcasm ("great, another 2 hours on hold", さすが○○、今日も遅延) is negative.

How a post is scored (on :func:`~mentiondesk.triage.normalize.normalize`-d text):

1. Kaomoji in parentheses are classified by their parts (tears ``;``, ``Д``, ``益`` are negative;
   ``^``, ``≧``, ``♡`` positive) and blanked out so their characters are not read again.
2. English cues are looked up by word n-grams; Japanese cues, emoji and ASCII emoticons by
   substring, longest entry first (Japanese has no spaces). Both are plain dict look-ups: no large
   regex has to be compiled at import.
3. Each hit is adjusted: negation (EN "not/never/n't" shortly before; JA ない/ません/ず right after
   a stem, so 美味しくない flips and 問題ない turns mildly positive), intensifiers (very, so,
   めっちゃ, 〜すぎ), clause contrast (what follows "but"/けど counts more), questions and JA
   conditionals (あると嬉しい is a request, not praise) and calm, formal JA reports.
4. Sarcasm: praise that is typically ironic (さすが, 安定の, "great", "love", "thanks") turns
   negative when the post also complains and either the praise is of the rarely-sincere kind or the
   post carries an irony marker ("as usual", 今日も, 🙄); fixed patterns ("thanks for nothing",
   "love waiting") are negative outright.
5. Laughter (w, 草, lol) is mildly positive unless the rest of the post is negative.
6. The net score goes through a three-way softmax with a neutral band, so a question or a plain
   statement with no cue words is neutral.

An entry of weight 0 blocks a shorter entry inside it (神戸 keeps 神 "awesome" from firing).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from mentiondesk.triage.normalize import PLACEHOLDER_RE, normalize

Label = Literal["positive", "neutral", "negative"]
LABELS: tuple[Label, Label, Label] = ("positive", "neutral", "negative")

# Entry flags, written as prefixes in the lexicon text.
_IRONIC = 1  # "~": praise that is often sarcastic (great, love, thanks) -> flips in ironic complaints
_MARKER = 2  # "@": irony marker (as usual, 今日も, 🙄); may carry its own weight
_STRONG_IRONY = 4  # "~~": praise that is sarcastic whenever the post complains (さすが, 安定の)
_COURTESY = 8  # "%": thanks that may be mere politeness; weak when the post asks or requests something
_SYMBOL = 16  # set on emoji/emoticon entries: no inflection, so no JA negation or conditional check

# ---------------------------------------------------------------------------------------------
# Lexicons. Format: one tier per line, "weight | entry | entry | ...". Prefix an entry with "~",
# "~~", "%" or "@" for the flags above; "!" before the weight marks the whole line as irony markers.
# Entries are written in normalised form (lower case, half-width ASCII, no variation selectors);
# the unit tests check that, which saves normalising ~2,000 entries at every cold start.
# Weights are roughly: 0.5 mild, 1 clear, 1.5 strong, 2+ very strong.
# ---------------------------------------------------------------------------------------------

_EN_LEXICON = """
+2.5 | thank you so much | thanks so much | thank you very much | much appreciated | you rock
+2.5 | you guys rock | above and beyond | lifesaver | life saver | best airline | ~best customer service
+2.5 | ~great customer service | love you guys | love you | ~great job | ~great work | ~amazing service
+2.5 | ~excellent service | ~great service | thanks a million | can't thank you enough
+2.5 | cant thank you enough | made my day | you're the best | you are the best | the best ever
+2.5 | highly recommend | five stars | well worth
+2.0 | ~love | ~loved | ~loving | ~amazing | ~awesome | excellent | ~fantastic | ~wonderful | outstanding
+2.0 | superb | ~brilliant | ~perfect | incredible | phenomenal | exceptional | kudos | shoutout | shout out
+2.0 | impressed | delighted | thrilled | grateful | thankful | appreciate it | appreciate you | appreciated
+2.0 | hero | heroes | ~good job | ~well done | ~nice job | ~way to go | ~%thank you | ~%thanks | %thx
+2.0 | tysm | %ty | props | terrific | fabulous | marvelous | marvellous | stellar | spectacular
+2.0 | awesomeness | happiest | loyal customer | pleasantly surprised | exceeded | exceeds | blessed
+2.0 | beautifully
+1.5 | ~great | ~appreciate | ~happy | glad | pleased | ~nice | helpful | friendly | kind | courteous
+1.5 | polite | professional | fixed | resolved | solved | sorted | smooth | easy | comfortable | comfy
+1.5 | enjoy | enjoyed | ~fun | beautiful | ~cool | sweet | yay | woohoo | excited | exciting | can't wait
+1.5 | cant wait | recommend | favorite | favourite | pleasant | pleasure | worth it | safely | reliable
+1.5 | efficient | responsive | prompt | impressive | classy | gorgeous | delicious | tasty | yummy
+1.5 | congrats | lovely | congratulations | proud | fly again | flying again | will fly | quick response
+1.5 | fast response | luckily | quickly | keep it up | good luck | free upgrade | welcome back
+1.5 | looking forward | look forward | heaven | awesome job | legend | legendary | enjoyable | relaxing
+1.5 | relaxed | refreshing | generous | caring | attentive | accommodating | patient | patience | sincere
+1.5 | genuine | flawless | seamless | effortless | convenient | handy | useful | valuable | affordable
+1.5 | bargain | fair | wins | winner | victory | success | successful | succeeded | awarded | celebrate
+1.5 | celebrating | cheers | hooray | hurray | woo | woot | hugs | hug | kiss | xoxo | bless | superstar
+1.5 | champ
+1.0 | not bad | not too bad | good | liked | fast | clean | ~best | fixed | spacious | smile | smiles | fan
+1.0 | cute | glad to | win | won | lucky | sure thing | no worries | all good | ok thanks | okay thanks
+1.0 | appreciate the | finally home | got home | arrived safely | home safe | popular | beneficial | nicely
+1.0 | safe | calm | improved | improvement | benefit | perks | interesting | excite | fresh | bright | warm
+1.0 | welcoming | positive | cool thanks | great thanks | works now | working now | worked | back up
+1.0 | up and running | recovered | solution | smart | clever | hilarious | laugh | xd | agree | %thank
+1.0 | thanked | thanking | enjoying | glad you | nice to | wish me luck
+0.5 | welcome | quick | made it | haha

-2.5 | worst | never again | never flying | never fly | never use | never using | will never | charged twice
-2.5 | double charged | charged me twice | rip off | ripoff | scam | scammed | fraud | disgusting
-2.5 | disgraceful | pathetic | unacceptable | outrageous | appalling | atrocious | useless | incompetent
-2.5 | shameful | disgrace | shame on you | hate | hated | hates | furious | livid | horrible | horribly
-2.5 | terrible | terribly | awful | ridiculous | nightmare | disaster | sucks | suck | sucked | screwed
-2.5 | wtf | fuck | fucking | fucked | bullshit | shit | shitty | crap | crappy | bs | liar | liars | lies
-2.5 | lied | ~~yeah right | ~~#not | stranded | ruined | worst experience | miserable | insulting | insult
-2.5 | insulted | disrespectful | disrespected | abysmal | horrendous | dreadful | despicable | deplorable
-2.5 | inexcusable | unbelievably bad | embarrassing | embarrassment | idiots | idiot | stupid | dumb
-2.5 | moron | morons | hostage | held hostage | captive | garbage | trash | ripped off
-2.0 | rude | disappointed | disappointing | disappointment | frustrated | frustrating | frustration
-2.0 | pissed | annoyed | annoying | angry | upset | unhappy | mad | missed my connection
-2.0 | missed connection | lost my bag | lost my luggage | lost luggage | lost bag | lost baggage | damaged
-2.0 | broken | still waiting | been waiting | on hold | hold time | no response | no reply | no answer
-2.0 | no one | nobody | no help | never received | never got | haven't received | havent received
-2.0 | didn't receive | not received | not working | doesn't work | does not work | isn't working
-2.0 | won't work | didn't work | not work | can't log in | cannot log in | can't login | cant login
-2.0 | can't get through | cant get through | hung up | hangs up | hung up on | waste of time | wasted
-2.0 | unhelpful | unprofessional | clueless | joke | overcharged | overbooked | oversold | cancelled
-2.0 | canceled | cancellation | cancellations | delayed | delay | delays | late flight | smh | ugh | argh
-2.0 | fml | poor | poorly | lousy | filthy | gross | dirty | disgusted | orz | otl | t_t | sad | sick of
-2.0 | tired of | fed up | terrible service | horrible service | bad service | worse | sucking | not able to
-2.0 | unable | not acceptable | no excuse | lose | losing | cheated | misleading | mislead | misled
-2.0 | incorrect | failing | screw up | screwed up | messed up | no information | no info | no communication
-2.0 | lack of | lacking | neglected | neglect | abandoned | left behind | kicked off | waste | unreliable
-2.0 | regret | ashamed | awkward | hopeless | helpless | pointless | worthless | broken promise | false
-2.0 | shocked | appalled | horrified | outraged | offended | offensive | annoyance | aggravating
-2.0 | aggravated | do better | need to do better | don't care | doesn't care | dont care | doesnt care
-2.0 | could care less | couldn't care less | let me down | let down | letting down | ever again
-2.0 | enough is enough | not enough | treat your customers | treat customers | treating customers
-2.0 | still nothing | no update | no updates | want my money back | money back | speak to a manager
-2.0 | talk to a manager | keep getting | keeps getting | infuriating | infuriated | maddening | irritated
-2.0 | irritating | pissing | complain | complaint | complaints
-1.5 | bad | stuck | waiting | wait time | lost | missing | missed | mess | fail | failed | failure | fails
-1.5 | error | errors | glitch | crash | crashed | crashes | outage | no service | no signal | no wifi
-1.5 | still no | still not | still haven't | @yet again | @once again | @as usual | @as always
-1.5 | complaining | slow | expensive | overpriced | wrong | mistake | mistakes | confusing | confused
-1.5 | trouble | issues | problem | problems | inconvenience | inconvenienced | inconvenient | hassle
-1.5 | hours | hrs | diverted | rebooked | bumped | denied | rejected | declined | ignored | ignoring
-1.5 | ignore | worried | concerned | scared | afraid | stress | stressful | stressed | exhausted
-1.5 | uncomfortable | cramped | mediocre | meh | lame | shocking | absurd | insane | sigh | seriously
-1.5 | unable to | couldn't | can't even | cant even | refund | fee | fees | charged | compensation
-1.5 | compensate | supposed to | should have | would be nice | long line | long lines | queue | excuse
-1.5 | excuses | sorry but | what happened | doesn't | hate it | nothing | worry | unfair | horrid | chaos
-1.5 | chaotic | crazy | difficult | impossible | tough | hard time | sadly | nervous | anxious
-1.5 | angry customer | cry | crying | cried | tears | hurt | hurts | pain | painful | sick | ill
-1.5 | broke down | breakdown | problematic | questionable | doubt | sucker | fault | blame | blaming
-1.5 | downgraded | downgrade | lied to | misinformed | misinformation | stuck on | delayed again
-1.5 | late again | dropped | disconnected | disconnect | busy signal | runaround | run around | nonexistent
-1.5 | non existent | cancel | canceling | cancelling | not happy | not impressed | no way | no longer
-1.5 | lousy service | bored | boring | tired | weak | cheap | shady | sketchy | suspicious | worst part
-1.5 | bad experience | attitude
-1.0 | fix this | fix it | please fix | fix your | tried calling | tried to | i've tried | was told
-1.0 | were told | told me | keep telling | keeps telling | kept | paid for | i paid | paying customer
-1.0 | paying customers | sitting here | sitting on | still sitting | anyone there | is anyone
-1.0 | anybody there | answer the phone | answer your phone | call back | callback | charge | pay extra
-1.0 | extra fee | yet to | not yet | how come | miss my | will miss | going to miss | gonna miss | haven't
-1.0 | hasn't | wasn't | weren't | be better | please help | help me | need help | issue | why | again
-1.0 | late | cold | dead | down | rebook | smell | broke | apparently | wont | won't | can't | cant
-1.0 | cannot | didn't | didnt | never | hold | wait | waited | hour | minutes | mins | days | weeks
-1.0 | unfortunately | small | tiny | wet | lack | nope | no show | didn't get | did not | does not | do not
-1.0 | dont | not even | anymore | any longer | where is | where's my | still | careful | warning | beware
-1.0 | complicated | limited | concern | concerns
-0.5 | sorry | no | any update | any updates | hmm | um | umm | only | however | though | pls | plz
-0.5 | finally | wow | funny

# Blockers: phrases that contain a cue word but are not that cue.
0 | like to | like a | like the | would like | i'd like | like that | likes | looks like | feel like
0 | pretty much | well as | as well | good morning | good afternoon | good evening | good night | no problem
0 | hold on | just wondering | wait list | waitlist | waiting list | help desk | please let me know
0 | best way | best option | best time | check in | at least | lol | free to | no doubt | without delay
0 | no delay | no delays | on hold for you | lost and found | bad weather | cold weather | deal with
0 | fair enough | kind of | kinda | customer care | care about | take care | cancel my | cancel a
0 | cancel the | refund policy | how long | free wifi | fine print | can't believe
"""

# Japanese cues: matched by substring. Stems without their inflection (美味し, 可愛) let one entry
# cover 美味しい/美味しかった/美味しすぎ and expose negation (美味しくない).
_JA_LEXICON = """
+2.5 | 神対応 | ~%ありがとうございます | ~ありがとうございました | 感謝しかない | 感謝です | 感謝してます
+2.5 | 助かりました | 大満足 | 最高でした | 感動 | 神アプデ | 大好き | 一生推 | 優勝 | 完璧 | 素晴らしかった
+2.5 | また来ます | また行きます | また泊まり | また利用し | また使い | リピ確 | 絶品 | 爆上がり | 最高すぎ
+2.5 | 幸せ | しあわせ | 最&高 | 神すぎ
+2.0 | ~%ありがとう | %ありがと | あざす | あざっす | サンキュー | 感謝 | 助かる | 助かり | 助かった | ~最高
+2.0 | 素晴らし | ~~素晴らしい | 素敵 | すてき | 嬉し | うれし | 楽しみ | 楽しかった | 美味し | おいし
+2.0 | 美味かった | うまかった | 好き | 可愛 | かわい | カワイイ | 便利 | 快適 | 丁寧 | 親切 | 満足 | 安心
+2.0 | おすすめ | オススメ | 推せる | 好感 | 有難い | ありがたい | ありがたすぎ | 嬉しかった | 喜んで
+2.0 | 大喜び | 心強い | 頼もしい | 天才 | 迅速 | 対応が早 | 対応早 | 解決しました | 解決した | 直りました
+2.0 | 直った | 治りました | 復旧しました | 使いやす | 分かりやす | わかりやす | 見やす | 最強 | 尊い
+2.0 | 癒され | 癒やされ | 癒し | 面白 | おもしろ | おもろ | 笑える | やったー | やった! | よっしゃ | わーい
+2.0 | キター | きたー | 来たー | 合格 | 当選 | 当たった | おめでとう | ~おめでとうございます | 祝 | 満喫
+2.0 | 充実 | 感激 | 楽しい | 楽しく | 楽しん | 大成功 | 成功 | 達成 | 優秀 | 素直に嬉
+1.5 | 楽し | 優し | やさし | 良かった | よかった | 良い | 良き | 良さ | 良く | いいね | スムーズ | 清潔
+1.5 | 綺麗 | きれい | 気持ちい | 気持ちよ | お得 | コスパ良 | コスパいい | コスパ最高 | 安くて | 無事
+1.5 | 間に合った | 届きました | 応援してます | 応援しています | 応援 | 頑張って | がんばって | 頑張ろ
+1.5 | 頑張る | 頑張り | がんばる | ワクワク | わくわく | ほっと | ホッと | 神 | 誠実 | 上手 | 早かった
+1.5 | 早く届いた | すぐ届いた | 早く届きました | すぐ届きました | 美しい | 映え | エモ | 好評 | 気に入
+1.5 | お気に入り | 推し | 絶対行く | 行きたい | 食べたい | ナイス | グッド | 期待 | 憧れ | 嬉 | 元気 | 笑顔
+1.5 | 待ち遠し | ラッキー | 勝った | 勝ち | 快勝 | 晴れ | 祝福 | 誕生日 | 結婚 | ゲット | 手に入 | 増収
+1.5 | 増益 | 好調 | 堅調 | 順調 | 向上 | 黒字 | 上回 | 改善しました | 改善された | 復旧 | 美味い | 旨い
+1.5 | うまい | 懐かしい | なつかしい | センスある | センスいい | 楽になった | 華やか
+1.0 | いい | よい | ~~@さすが | ~~@流石 | ~~@安定の | ~~おかげで | 大丈夫 | 問題なく | 快く | 合って
+1.0 | 合いました | お疲れ様 | おつかれさま | 新鮮 | 柔らか | ふわふわ | もちもち | サクサク | 安い | 良心的
+1.0 | すごい | 凄い | 頼りにな | ぴったり | ピッタリ | 丁度いい | ちょうどいい | ちょうど良 | 驚きの | 改善
+1.0 | 進んで | 進み | 完成 | できた | 出来た | 行ってきま | 行ってきた | 帰ってきた | 会えた | 見れた
+1.0 | 買えた | 楽に | 増加 | 拡大 | 上昇
+0.5 | お世話になっております | いつも | 届いた | 使ってます | 使っています | 使ってる | 楽しんで | おはよう
+0.5 | こんにちは | こんばんは | よろしく | 宜しく

-3.0 | 最悪 | 最低 | 二度と | 詐欺 | 不買 | 金返せ | 許さない | 許せない | ふざけ | 舐めてる | なめてる
-3.0 | 馬鹿にし | バカにし | ばかにし | いい加減にし | 死ね | 頭おかしい | クソ | くそ | 糞 | ゴミ
-3.0 | ごみ対応 | 論外
-2.5 | ひどい | 酷い | ヒドイ | ありえない | あり得ない | ありえん | 信じられない | 激怒 | ブチギレ
-2.5 | キレそう | 腹立 | 腹が立 | ムカつ | むかつ | ムカムカ | イライラ | いらいら | 不愉快 | 不快 | 幻滅
-2.5 | うんざり | 失望 | がっかり | ガッカリ | がっくり | 対応が悪 | 対応悪 | 態度が悪 | 態度悪 | 無愛想
-2.5 | 高圧的 | 横柄 | 失礼 | 不誠実 | 騙さ | だまさ | 不正利用 | 乗っ取 | 流出 | 漏洩 | 二重請求
-2.5 | 二重に請求 | 二重引き落とし | 身に覚えのない | たらい回し | 謝罪なし | 謝罪もな | 草も生えない
-2.5 | 草も生えん | 終わってる | オワコン | 怒り | 怒って | 残念すぎ | 不親切 | 不信感 | もう二度と | 嫌い
-2.5 | 最悪すぎ | 返金して | 金返 | 時間の無駄 | 憂鬱 | 鬱 | 絶望 | 地獄 | 悲しい | 悲しすぎ | 泣きそう
-2.5 | 泣きたい | ショック | しょんぼり | とほほ | 辛すぎ | 苦しい
-2.0 | 遅延 | 欠航 | 運休 | 見合わせ | 圏外 | 障害 | 故障 | 壊れ | 不具合 | 不良品 | 破損 | 紛失 | 誤配
-2.0 | 異物 | 困って | 困る | 困り | 困った | 迷惑 | 不便 | 面倒 | めんどい | めんどくさ | 残念 | 悲し
-2.0 | かなし | 辛い | つらい | しんどい | 怖い | 怖すぎ | こわい | 危な | 危険 | 不安 | 心配 | 痛い | 腫れ
-2.0 | 萎え | 凹む | へこむ | まずい | 不味 | 汚い | 不潔 | ベタベタ | 虫が | 異音 | 変な音 | 焦げ | 臭い
-2.0 | くさい | 寂し | さみし | 悔し | いつ来る | いつ届く | いつになったら | いつまで待 | どうなって
-2.0 | どういうこと | おかしい | おかしくない | 返信がない | 返信が来 | 返事がない | 連絡がない | 連絡が来な
-2.0 | 音沙汰 | 放置 | 無視 | 待たされ | 嘘 | 改悪 | 値上げ | 高すぎ | 遅すぎ | 狭すぎ | 少なすぎ | 多すぎ
-2.0 | 長すぎ | 分かりにく | わかりにく | 分かりづら | わかりづら | 見づら | 使いにく | 使いづら | 微妙
-2.0 | 期待外れ | 期待はずれ | 割高 | 不満 | 苦情 | クレーム | 勝手に | 何度も | 何回も | いい加減
-2.0 | どうでもいい | もういい | もう無理 | 悪 | 嫌 | ぴえん | 泣いた | 落ち込 | エラー | バグ | フリーズ
-2.0 | 落ちる | 落ちた | 落ちます | 重すぎ | 固まる | 固まった | 止まっ | 止まる | 止まり | 引き落とされ
-2.0 | 請求され | 足りない | 足りません | 間違 | 違う商品 | ミス | 雑な | 雑すぎ | 適当すぎ | 怒 | 最悪だ
-2.0 | 疲れ | 大変だった | 大変でした | 失敗 | 後悔 | 反省 | 喧嘩 | 風邪 | 頭痛 | 腹痛 | 病院 | 熱が | 減収
-2.0 | 減益 | 低迷 | 悪化 | 厳し | 不振 | 下落 | 赤字 | 損失 | 落ち込み | 伸び悩 | 減少 | 縮小 | 低下
-1.5 | 遅 | 遅れ | 待ち | 待って | 行列 | 大行列 | 混雑 | 返金 | 払い戻し | 解約 | 乗り換え | 問題
-1.5 | 改善して | 困難 | 損 | 高い | 狭い | うるさい | 寒い | 寒すぎ | さむ | 暑い | 暑すぎ | 冷めて
-1.5 | ぬるい | 眠い | 眠れない | 傷 | 欠け | 割れ | 汚 | 痒い | かゆい | ヒリヒリ | 涙 | 泣 | 死んでる
-1.5 | 死ぬ | 死に | 無理 | むり | 嘘でしょ | まじか | マジか | しかない | どうすれば | 急いで | 至急
-1.5 | すぐに確認 | 早くして | 説明もな | 説明がな | テンプレ | 我慢 | 限界 | ダサ | だるい | ダルい | だる
-1.5 | うざ | ウザ | きもい | キモい | つまらな | つまんな | 退屈 | 飽きた | 苦手 | 緊張 | 焦る | 焦っ
-1.5 | 忘れ | 外れ | ハズレ | 負け | 落選 | 駄目 | ダメ | だめ | 病 | 痛 | 怖 | 不安定 | 減っ | 減り | 病気
-1.5 | 悪質 | 悪徳 | 損害 | 楽しめな | 楽しめませ | 待った | 待たせ | 連絡がありません | 返信がありません
-1.5 | 返事がありません | うまくいかな | 上手くいかな | うまくいきませ | 上手くいきませ
-1.0 | なんで | 何で | なぜ | 何故 | まだ | のに | なのに | 全然 | 全く | まったく | ひとつも | 一度も
-1.0 | 結局 | 不明 | 弱い | 途切れ | 重い | 遠回り | 足りなく | 少ない | 難しい | むずかしい | 分からん
-1.0 | わからん | 分からない | わからない | 分かんない | わかんない | ため息 | はぁ | ?? | !? | ?! | また
-1.0 | 寝坊 | 遅刻

# Blockers: words that contain a cue but mean something else, or politely ask for something.
0 | 神戸 | 神奈川 | 神社 | 神田 | 神宮 | 精神 | 神経 | 奈良 | 不良 | 改良 | 悪天候 | 問題なし | 無理なく
0 | 遅延証明 | いつも通り | 大丈夫でしょうか | 大丈夫ですか | 問題ないでしょうか | 問題ありませんか
0 | 待ち合わせ | お待ちして | お待ちしております | 待ってます! | いいえ | かわいそう | 可愛そう | 泣ける
0 | 誰か教えて | まだまだ | また今度 | またね | また連絡 | またお願い | 高いところ | 高い所 | 高校 | 遅番
0 | 痛み止め | 嫌な予感 | 返品 | 交換 | 行きたいのですが | 欲しいのですが | 欲しいです | してほしい
0 | 病院行った方 | なんです | なんだ | なんでしょう | 何故か | なぜか | なんでか | なんでも | 何でも
0 | 頑張ってください | 熱心 | 熱い | 仕事で | 仕事の | 期待して | 忘れ物 | 改善の予定 | 改善予定 | 祝日
0 | できないでしょうか | できませんか | できないですか | できないのでしょうか | できないかな | できますか

# Irony markers (no polarity of their own; they arm the flip of "~" praise).
!0 | 今日も | 今日も今日とて | 毎度 | 毎朝 | 相変わらず | 連続 | いつものこと | お約束 | 安定して | 🙄 | 🙃
!0 | 😒
"""

# Japanese "can't / doesn't" forms of verbs that describe a service failing: nai-stem / masu-stem /
# te-form. Each expands to ない, なかった, ません, てない, ... (see ``_failure_forms``).
_JA_FAILURE_VERBS = (
    "届か/届き/届いて 繋がら/繋がり/繋がって つながら/つながり/つながって でき/でき/できて "
    "使え/使え/使えて 動か/動き/動いて 開か/開き/開いて 見つから/見つかり/見つかって "
    "表示され/表示され/表示されて 反映され/反映され/反映されて 進め/進め/進めて 押せ/押せ/押せて "
    "払え/払え/払えて 聞こえ/聞こえ/聞こえて 映ら/映り/映って 起動し/起動し/起動して "
    "読み込め/読み込め/読み込めて 送れ/送れ/送れて 受け取れ/受け取れ/受け取れて 戻ら/戻り/戻って "
    "直ら/直り/直って 治ら/治り/治って 来/来/来て こ/き/きて 出/出/出て 入れ/入れ/入れて 乗れ/乗れ/乗れて "
    "見れ/見れ/見れて 買え/買え/買えて 変わら/変わり/変わって 出てこ/出てき/出てきて 走れ/走れ/走れて "
    "連絡が来/連絡が来/連絡が来て 返信が来/返信が来/返信が来て 返ってこ/返ってき/返ってきて "
    "対応され/対応され/対応されて"
)
_FAILURE_WEIGHT = -1.5
_NAI_ENDINGS = ("ない", "なかった", "なくて", "なくな", "ず", "ねー", "ねえ", "なすぎ", "なさすぎ")
_MASU_ENDINGS = ("ません",)
_TE_ENDINGS = ("ない", "いない", "ません", "いません", "なかった")

# Emoji and ASCII emoticons, matched anywhere.
_SYMBOL_LEXICON = """
+2.0 | 😍 | 🥰 | 🤩 | 😘 | 💕 | 💖 | 💗 | 💓 | 💞 | 💘 | ♥ | ♡ | 🫶 | 🎉 | 🥳 | 🎊 | 👏 | 🙌 | 💯 | ❤
+1.5 | 😊 | ☺ | 😀 | 😃 | 😄 | 😁 | 🙂 | 😉 | 🤗 | 😋 | 😌 | 👍 | 👌 | ✨ | 🌟 | ⭐ | 🌸 | 💐 | 🎂 | 🙏 | 💪
+1.5 | ✌ | 🆗 | ❣ | ^^ | ^_^ | ^-^ | ^o^ | ^^/ | :) | :-) | :d | ;) | :p | <3
+1.0 | 🔥 | 🥹 | 😎 | 🍀 | 🌈 | ☀ | 🎶 | ♪ | 🤤 | 🤭 | 😇
-2.5 | 😡 | 🤬 | 💢 | 😠 | 🖕 | 👎 | 🤮 | 🤢 | 💔 | 😤 | :( | :-( | :'( | ;_; | ;; | </3
-1.5 | 😭 | 😢 | 😩 | 😫 | 😞 | 😔 | 😣 | 😖 | 😥 | 😓 | 😰 | 😨 | 😱 | 😿 | 💀 | 🥺 | 😑 | 😐 | 🤦 | 🤷
-1.5 | 😪 | 😕 | 🙁 | ☹ | ⚠ | ❌ | 🆘 | 😬 | 😵 | :/ | -_- | ^^; | 💦 | 🥲 | 😮💨 | 😮 | 💤
"""


def _words(text: str) -> frozenset[str]:
    """A word set written as a space-separated string (easier to scan than a list literal)."""
    return frozenset(text.split())


# Intensifiers just before a cue (EN: up to two words, JA: a few characters) and JA "すぎ" after it.
_EN_BOOSTERS = _words(
    "very so really extremely super totally absolutely incredibly completely utterly truly such "
    "seriously freaking insanely highly beyond especially too most soo definitely"
)
_JA_BOOSTER_RE = re.compile(
    r"(?:超|めっちゃ|めちゃくちゃ|めちゃめちゃ|めちゃ|すごく|すっごく|すごい|凄く|とても|本当に|ほんとに"
    r"|ほんとうに|ほんと|マジで|まじで|マジ|まじ|激|鬼|かなり|大変|非常に|ガチで|がちで|ほんま|心から|一番|最も"
    r"|あまりにも)$"
)
_JA_SUFFIX_BOOSTER_RE = re.compile(r"すぎ|過ぎ")
_BOOST = 1.3

# EN negators in the last three words of the same clause flip the cue.
_EN_NEGATORS = _words(
    "not no never without hardly barely neither nor nothing none nobody dont doesnt didnt isnt "
    "wasnt arent werent cant cannot couldnt wont wouldnt shouldnt havent hasnt hadnt aint"
)
_EN_TOKEN_RE = re.compile(r"[a-z0-9#][a-z0-9'+_]*")
_EN_WORD_RE = re.compile(r"[a-z]+(?:'[a-z]+)?")
_EN_CLAUSE_BREAK_RE = re.compile(r"[,.;:!?()]| but | and ")
# JA negation right after a stem: く/じゃ/では + ない…, or ません / ず.
_JA_NEG_RE = re.compile(
    r"(?:く|くは|くも|じゃ|じゃあ|では|でも|で|が|は|も)?"
    r"(?:な(?:い|かっ|く|し|さそう)|ねー|ねえ|ねぇ|ありません|ありませ|ません|ず(?![っつ]))"
)
# Negating praise is strong blame ("not helpful", 美味しくない). Negating a JA complaint word is
# weak praise (問題ない, 悪くない). In English support posts a negated complaint word stays a
# complaint ("haven't been rebooked", "why didn't you call"), only weaker; praise by litotes
# ("not bad") has its own entry.
_NEGATE_POSITIVE = -0.8
_JA_NEGATE_NEGATIVE = -0.35
_EN_NEGATE_NEGATIVE = 0.5

# Contrast pivots: what follows "but"/けど is what the author means.
_PIVOT_RE = re.compile(r"\bbut\b|\bhowever\b|けど|けれど|ですが|だが|しかし|でも、|ただ、|ものの|が、")
_BEFORE_PIVOT = 0.6
_AFTER_PIVOT = 1.2

# Fixed sarcasm patterns (EN); a match is a negative cue and arms the flip of ironic praise.
_EN_SARCASM_RE = re.compile(
    r"\b(?:thanks|thank you|thx)(?: a lot| so much)? for nothing\b"
    r"|\b(?:love|loving|enjoy|enjoying|nothing like|nothing better than) (?:waiting|sitting|being|getting"
    r"|paying|standing|spending|having to|sleeping|missing|losing)\b"
    r"|(?:^|[.!?] |\b(?:oh|just|so) )(?:great|perfect|awesome|wonderful|fantastic|brilliant|nice|lovely"
    r"|cool|excellent)[,.!]* (?:another|more|again|now|yet|thanks)\b"
    r"|\bthanks a lot\b|\bso much for\b|\bclearly\b|\bobviously\b|\bof course\b"
)
_SARCASM_WEIGHT = -1.5

# Laughter: a run of ASCII "w" or a lone 草/笑 in Japanese text (not 草むしり, 笑顔), lol/haha in
# English. Neighbours are checked in Python: regex classes spanning the CJK block are slow to compile.
_JA_LAUGH_RE = re.compile(r"w+|草|笑|ワロ")
_EN_LAUGH_RE = re.compile(r"\b(?:lol|lmao|lmfao|rofl|haha[ha]*|hehe[he]*)\b|😂|🤣|😆")
_LAUGH_WEIGHT = 0.7
_KANA_RE = re.compile("[\u3041-\u30ff]")
_ASCII_LETTER_RE = re.compile("[a-z]")

# Kaomoji: a short parenthesised run with face parts and no ordinary words.
_KAOMOJI_RE = re.compile(r"\([^()]{1,16}\)")
_KAOMOJI_FACE = frozenset("ω´`^;_・≧≦▽∀゚°ᴗε╥⌒益皿∇ಠ♡◕д\u0301><'")
_KAOMOJI_NEGATIVE = frozenset(";益皿╥ಠд#╬")
_KAOMOJI_POSITIVE = frozenset("^≧≦▽∀♪☆★♡*ᴗ◕")
_KAOMOJI_WORD_CHARS = frozenset("abcdefghijklmnopqrsuvwxyz0123456789")  # "t" is an eye: (t_t)

# Context that weakens a cue:
# - a question ("Is my flight on time?", 大丈夫でしょうか?) asks rather than judges;
# - a JA conditional right before the cue (あると嬉しい, くれたら最強, ないと困る) is a wish or request;
# - a calm, formal JA report (…お願いします, …でしょうか) describes a problem without anger;
# - "thanks" closing a question or request is politeness, not praise.
_QUESTION_POSITIVE = 0.3
_QUESTION_NEGATIVE = 0.75
_SENTENCE_END_RE = re.compile(r"[。.!?\n]")
_JA_HYPOTHETICAL_RE = re.compile(r"(?:[るえいけせてれ]と|たら|れば|なら)$")
_HYPOTHETICAL = 0.25
_JA_POLITE_RE = re.compile(
    r"お願い(?:します|いたします|したい|できますか|できません)|いただけ(?:ます|ません)|でしょうか"
)
_POLITE_NEGATIVE = 0.6
_REQUEST_RE = re.compile(r"\?|\bplease\b|\bpls\b|\bcan you\b|\bcould you\b|お願い|ください|下さい|ますか|ませんか")
_COURTESY_IN_REQUEST = 0.4

# Review ratings ("★1", "★★★★☆", "2 stars", "5/5"): the author's own verdict.
_RATING_RE = re.compile(r"★ ?([1-5])(?![0-9])|(★+)☆*|\b([1-5])(?:/5| out of 5)? ?stars?\b|\b([1-5])/5\b")
_RATING_WEIGHTS = {1: -3.0, 2: -2.0, 3: 0.0, 4: 1.5, 5: 2.5}
# Waiting measured in minutes or hours (30分待ち, 1時間以上待たされ) is a complaint on its own.
_JA_WAIT_RE = re.compile(r"[0-9一二三四五六七八九十半]+(?:分|時間|日)(?:以上|近く|も)?(?:待|並)")
_JA_WAIT_WEIGHT = -2.0

# Three-way softmax over the net score with a neutral band: positive needs net > _POS_BAR,
# negative needs net < -_NEG_BAR, so one clear cue (weight 1.0) decides and a mild one does not.
_POS_BAR = 0.95
_NEG_BAR = 0.95
_SHARPNESS = 1.2
_EXCLAIM_BOOST = 0.1
# In Japanese posts with no complaint and no request, "!" reads as excitement (やるぞー!, 来週行く!).
_JA_EXCLAIM_WEIGHT = 0.5
_MAX_CUES = 8


@dataclass(frozen=True, slots=True)
class SentimentResult:
    """Label, probabilities (positive/neutral/negative, summing to 1), driving cues, net score."""

    label: Label
    scores: dict[str, float]
    cues: tuple[str, ...]
    net: float  # pos minus neg evidence after all rules; > 0.95 is positive, < -0.95 negative


class _Hit:
    """One matched cue; ``weight`` is adjusted in place as context rules apply."""

    __slots__ = ("cue", "flags", "start", "weight")

    def __init__(self, start: int, cue: str, weight: float, flags: int = 0) -> None:
        self.start = start
        self.cue = cue
        self.weight = weight
        self.flags = flags


_Entry = tuple[float, int]


def _parse(spec: str, extra_flags: int = 0) -> dict[str, _Entry]:
    """Parse a lexicon block into ``{entry: (weight, flags)}``."""
    table: dict[str, _Entry] = {}
    for raw_line in spec.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        head, *entries = (part.strip() for part in line.split(" | "))
        line_flags = extra_flags | (_MARKER if head.startswith("!") else 0)
        weight = float(head.lstrip("!"))
        for entry in entries:
            if entry[0] not in "~%@":
                table[entry] = (weight, line_flags)
                continue
            flags = line_flags
            if entry.startswith("~~"):
                flags |= _STRONG_IRONY
            if entry.startswith("~"):
                flags |= _IRONIC
            word = entry.lstrip("~")
            if word.startswith("%"):
                flags |= _COURTESY
                word = word[1:]
            elif word.startswith("@"):
                flags |= _MARKER
                word = word[1:]
            table[word] = (weight, flags)
    return table


def _failure_forms(spec: str) -> dict[str, _Entry]:
    """Expand "nai-stem/masu-stem/te-form" triples into negative forms (届かない, 届きません, ...)."""
    table: dict[str, _Entry] = {}
    for triple in spec.split():
        nai, masu, te = triple.split("/")
        forms = [nai + end for end in _NAI_ENDINGS]
        forms += [masu + end for end in _MASU_ENDINGS] + [te + end for end in _TE_ENDINGS]
        table.update(dict.fromkeys(forms, (_FAILURE_WEIGHT, 0)))
    return table


def _first_word_index(table: dict[str, _Entry]) -> dict[str, tuple[int, ...]]:
    """Map each phrase's first word to the phrase lengths in words, longest first."""
    index: dict[str, set[int]] = {}
    for phrase in table:
        words = phrase.split(" ")
        index.setdefault(words[0], set()).add(len(words))
    return {word: tuple(sorted(lengths, reverse=True)) for word, lengths in index.items()}


def _prefix_index(table: dict[str, _Entry]) -> dict[str, tuple[int, ...]]:
    """Map each entry's first two characters to the entry lengths, longest first."""
    index: dict[str, set[int]] = {}
    for key in table:
        if len(key) > 1:
            index.setdefault(key[:2], set()).add(len(key))
    return {prefix: tuple(sorted(lengths, reverse=True)) for prefix, lengths in index.items()}


_EN_TABLE = _parse(_EN_LEXICON)
_EN_FIRST = _first_word_index(_EN_TABLE)
# Japanese words, their generated failure forms and the symbols share one substring table; a key
# present in several sources keeps the last definition.
_FREE_TABLE = {
    **_parse(_JA_LEXICON),
    **_failure_forms(_JA_FAILURE_VERBS),
    **_parse(_SYMBOL_LEXICON, extra_flags=_SYMBOL),
}
_FREE_PREFIX = _prefix_index(_FREE_TABLE)
# Characters an entry can start with; every other position is skipped with one set look-up.
_FREE_FIRST = frozenset(key[0] for key in _FREE_TABLE)


def analyze_sentiment(text: str) -> SentimentResult:
    """Score the sentiment of a raw post (normalises it first)."""
    return analyze_sentiment_normalized(normalize(text))


def analyze_sentiment_normalized(text: str) -> SentimentResult:
    """Score the sentiment of text already passed through :func:`normalize`."""
    if "<" in text:
        # Blank placeholders out (same length, so positions stay valid): they are not words.
        text = PLACEHOLDER_RE.sub(lambda m: " " * len(m.group()), text)
    hits: list[_Hit] = []
    if "(" in text:
        text = _match_kaomoji(text, hits)
    has_latin = _ASCII_LETTER_RE.search(text) is not None
    has_ja = not text.isascii() and (_KANA_RE.search(text) is not None or any(map(_is_kanji, text)))
    if has_latin:
        _match_english(text, hits)
    _match_free(text, hits, has_ja)
    if "★" in text or "/5" in text or "star" in text:
        _match_rating(text, hits)
    if has_ja and ("待" in text or "並" in text):
        hits.extend(_Hit(m.start(), m.group(), _JA_WAIT_WEIGHT) for m in _JA_WAIT_RE.finditer(text))

    ironic = False
    if has_latin:
        for match in _EN_SARCASM_RE.finditer(text):
            ironic = True
            hits.append(_Hit(match.start(), match.group().strip(" .!?"), _SARCASM_WEIGHT))
    ironic = ironic or any(hit.flags & _MARKER for hit in hits)

    neg_total = _apply_context(text, hits, has_ja)
    if neg_total > 0:
        # Praise next to a complaint is sarcasm when it is the rarely-sincere kind (さすが, 安定の),
        # or when the post carries an irony marker and the praise is the typically-ironic kind.
        for hit in hits:
            if hit.weight > 0 and (hit.flags & _STRONG_IRONY or (ironic and hit.flags & _IRONIC)):
                neg_total += hit.weight
                hit.weight = -hit.weight
                hit.cue += " (sarcasm)"
    pos_total = sum(hit.weight for hit in hits if hit.weight > 0)

    if neg_total == 0:
        laugh = _laughter(text, has_latin, has_ja)
        if laugh:
            # Laughing with the brand is mild praise; laughing at a failure is not counted.
            pos_total += _LAUGH_WEIGHT
            hits.append(_Hit(0, laugh, _LAUGH_WEIGHT))
        if has_ja and "!" in text and not _REQUEST_RE.search(text):
            pos_total += _JA_EXCLAIM_WEIGHT * min(text.count("!"), 2)

    net = pos_total - neg_total
    if net and "!" in text:
        net *= 1.0 + _EXCLAIM_BOOST * min(text.count("!"), 3)
    return _result(net, hits)


def _match_kaomoji(text: str, hits: list[_Hit]) -> str:
    """Record parenthesised kaomoji and blank them out of ``text``."""
    pieces: list[str] = []
    last = 0
    for match in _KAOMOJI_RE.finditer(text):
        inner = match.group()[1:-1]
        if not any(ch in _KAOMOJI_FACE for ch in inner) or any(
            ch in _KAOMOJI_WORD_CHARS or _is_kana(ch) or _is_kanji(ch) for ch in inner
        ):
            continue
        negative = "t_t" in inner or any(ch in _KAOMOJI_NEGATIVE for ch in inner)
        positive = any(ch in _KAOMOJI_POSITIVE for ch in inner)
        if negative:
            weight = -0.8 if positive else -1.5  # (^^; is wry, (;´д`) is despair
        elif positive:
            weight = 1.5
        elif "ω" in inner and "`" in inner:
            weight = -0.8  # (´・ω・`) "shobon": deflated
        else:
            continue
        hits.append(_Hit(match.start(), match.group(), weight, _SYMBOL))
        pieces.append(text[last : match.start()])
        pieces.append(" " * (match.end() - match.start()))
        last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _match_english(text: str, hits: list[_Hit]) -> None:
    """Longest-first phrase look-up over word tokens, with negation and intensifier checks."""
    tokens = [(m.group(), m.start()) for m in _EN_TOKEN_RE.finditer(text)]
    words = [word for word, _ in tokens]
    i = 0
    while i < len(words):
        lengths = _EN_FIRST.get(words[i])
        if lengths is None:
            i += 1
            continue
        for n in lengths:
            phrase = " ".join(words[i : i + n]) if n > 1 else words[i]
            entry = _EN_TABLE.get(phrase)
            if entry is not None:
                break
        else:
            i += 1
            continue
        i += n
        weight, flags = entry
        if not weight and not flags:
            continue  # a blocker
        start = tokens[i - n][1]
        hit = _Hit(start, phrase, weight, flags)
        before = _EN_CLAUSE_BREAK_RE.split(text[max(0, start - 40) : start])[-1]
        context = _EN_WORD_RE.findall(before)[-3:]
        if context and phrase.split(" ", 1)[0] not in _EN_NEGATORS:
            if any(word in _EN_NEGATORS or word.endswith("n't") for word in context):
                hit.weight *= _NEGATE_POSITIVE if weight > 0 else _EN_NEGATE_NEGATIVE
                hit.cue = f"{' '.join(context)} {phrase}"
            elif context[-1] in _EN_BOOSTERS or (len(context) > 1 and context[-2] in _EN_BOOSTERS):
                hit.weight *= _BOOST
        hits.append(hit)


def _match_free(text: str, hits: list[_Hit], has_ja: bool) -> None:
    """Longest-first substring look-up of Japanese cues, emoji and emoticons."""
    next_free = 0
    for start, ch in enumerate(text):
        if start < next_free or ch not in _FREE_FIRST:
            continue
        cue = ""
        for length in _FREE_PREFIX.get(text[start : start + 2], ()):
            if text[start : start + length] in _FREE_TABLE:
                cue = text[start : start + length]
                break
        if not cue:
            if ch not in _FREE_TABLE:
                continue
            cue = ch
        end = start + len(cue)
        next_free = end
        weight, flags = _FREE_TABLE[cue]
        if not weight and not flags:
            continue  # a blocker
        if len(cue) == 1 and end < len(text) and _is_kanji(cue) and _is_kanji(text[end]):
            continue  # a one-kanji cue inside a longer compound is usually another word (神 in 神南)
        hit = _Hit(start, cue, weight, flags)
        if has_ja and weight and not flags & _SYMBOL:
            if _JA_HYPOTHETICAL_RE.search(text, max(0, start - 3), start):
                hit.weight *= _HYPOTHETICAL
            negation = _JA_NEG_RE.match(text, end)
            if negation:
                hit.weight *= _NEGATE_POSITIVE if weight > 0 else _JA_NEGATE_NEGATIVE
                hit.cue = cue + negation.group()
            elif _JA_BOOSTER_RE.search(text, max(0, start - 6), start) or _JA_SUFFIX_BOOSTER_RE.match(text, end):
                hit.weight *= _BOOST
        hits.append(hit)


def _match_rating(text: str, hits: list[_Hit]) -> None:
    match = _RATING_RE.search(text)
    if match is None:
        return
    digit = match.group(1) or match.group(3) or match.group(4)
    stars = int(digit) if digit else min(len(match.group(2)), 5)
    weight = _RATING_WEIGHTS[stars]
    if weight:
        hits.append(_Hit(match.start(), match.group().strip(), weight, _SYMBOL))


def _apply_context(text: str, hits: list[_Hit], has_ja: bool) -> float:
    """Scale hits by clause contrast, questions, courtesy and politeness; return the negative total."""
    pivot = -1
    for match in _PIVOT_RE.finditer(text):
        pivot = match.start()
    questions = "?" in text or "か" in text
    polite = has_ja and _is_calm_polite(text, hits)
    requesting = any(hit.flags & _COURTESY for hit in hits) and _REQUEST_RE.search(text) is not None
    neg_total = 0.0
    for hit in hits:
        if pivot >= 0:
            hit.weight *= _BEFORE_PIVOT if hit.start < pivot else _AFTER_PIVOT
        if questions and _in_question(text, hit.start):
            hit.weight *= _QUESTION_POSITIVE if hit.weight > 0 else _QUESTION_NEGATIVE
        if requesting and hit.flags & _COURTESY:
            hit.weight *= _COURTESY_IN_REQUEST
        if polite and hit.weight < 0:
            hit.weight *= _POLITE_NEGATIVE
        if hit.weight < 0:
            neg_total -= hit.weight
    return neg_total


def _in_question(text: str, position: int) -> bool:
    """True if the sentence holding ``position`` ends with "?" or the JA question particle か."""
    end = _SENTENCE_END_RE.search(text, position)
    stop = end.start() if end else len(text)
    if end is not None and text[stop] == "?":
        return True
    return text[max(0, stop - 2) : stop].rstrip().endswith(("か", "かな"))


def _is_calm_polite(text: str, hits: list[_Hit]) -> bool:
    """A formal JA request with no strong emotion and no "!"."""
    if "!" in text or not _JA_POLITE_RE.search(text):
        return False
    return all(hit.weight > -2.5 for hit in hits)


def _laughter(text: str, has_latin: bool, has_ja: bool) -> str:
    """Return the first laughter token, or "" if none."""
    if has_ja:
        for match in _JA_LAUGH_RE.finditer(text):
            laugh = match.group()
            before = text[match.start() - 1] if match.start() else " "
            after = text[match.end()] if match.end() < len(text) else " "
            if laugh[0] == "w":
                # "ww" after Japanese text, not the w of "wifi" or "w/"
                if not ("a" <= before <= "z" or "a" <= after <= "z" or after == "/"):
                    return laugh
            elif not (_is_kana(after) or _is_kanji(after) or (laugh == "笑" and _is_kanji(before))):
                return laugh  # 草 / 笑 standing alone, not 草むしり, 笑顔, 爆笑した
    if has_latin or not has_ja:
        found = _EN_LAUGH_RE.search(text)
        if found:
            return found.group()
    return ""


def _is_kana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u30ff"


def _is_kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch == "々"


def _result(net: float, hits: list[_Hit]) -> SentimentResult:
    logits = (_SHARPNESS * (net - _POS_BAR), 0.0, _SHARPNESS * (-net - _NEG_BAR))
    peak = max(logits)
    exps = [math.exp(z - peak) for z in logits]
    total = sum(exps)
    probs = _round_to_one([e / total for e in exps])
    label = LABELS[probs.index(max(probs))]
    # Report the cues that pushed toward the label (all of them when the post came out neutral).
    if label == "positive":
        drivers = [hit for hit in hits if hit.weight > 0]
    elif label == "negative":
        drivers = [hit for hit in hits if hit.weight < 0]
    else:
        drivers = [hit for hit in hits if hit.weight]
    drivers.sort(key=lambda hit: -abs(hit.weight))
    cues: list[str] = []
    for hit in drivers:
        if hit.cue not in cues:
            cues.append(hit.cue)
            if len(cues) == _MAX_CUES:
                break
    scores: dict[str, float] = dict(zip(LABELS, probs, strict=True))
    return SentimentResult(label=label, scores=scores, cues=tuple(cues), net=round(net, 3))


def _round_to_one(probs: list[float]) -> list[float]:
    """Round to 4 decimals keeping the sum exactly 1.0 (the largest share absorbs the remainder)."""
    rounded = [round(p, 4) for p in probs]
    biggest = rounded.index(max(rounded))
    rounded[biggest] = round(1.0 - sum(r for i, r in enumerate(rounded) if i != biggest), 4)
    return rounded
