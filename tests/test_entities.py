from undertow.entities import extract_hashtags, extract_mentions, extract_urls, normalize_url


def test_urls_found_and_trailing_punctuation_dropped():
    assert extract_urls("look: https://t.co/abc, and www.mi.com/su7.") == [
        "https://t.co/abc", "www.mi.com/su7"]
    assert extract_urls("新品发布https://www.mi.com/su7，快看") == ["https://www.mi.com/su7"]


def test_normalised_urls_compare_equal_across_tracking_and_scheme():
    a = normalize_url("https://www.Mi.com/su7/?utm_source=weibo&spm=1.2&id=9#buy")
    b = normalize_url("http://mi.com/su7?id=9&fbclid=XYZ")
    assert a == b == "mi.com/su7?id=9"
    assert normalize_url("https://example.com/a?b=2&a=1") == "example.com/a?a=1&b=2"


def test_hashtags_twitter_and_weibo_styles():
    assert extract_hashtags("#小米SU7# 太贵了 #EV #Akku") == ["小米SU7", "EV", "Akku"]
    assert extract_hashtags("AT&T#1 no tag") == []


def test_mentions():
    assert extract_mentions("@alice 你好 @张三 mail me a@b.com") == ["alice", "张三"]
