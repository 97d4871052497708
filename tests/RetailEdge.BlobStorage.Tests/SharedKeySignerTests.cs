namespace RetailEdge.BlobStorage.Tests;

public sealed class SharedKeySignerTests
{
    [Fact]
    public void BuildStringToSign_PutWithConditionsAndQuery_FollowsCanonicalForm()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1:10000/devstoreaccount1/lake/a%20b/c%3Dd.json?comp=lease&prefix=x%3Dy%20z&Comp2=B,A");
        request.Content = new ByteArrayContent(new byte[12]);
        request.Content.Headers.ContentLength = 12;
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        request.Headers.TryAddWithoutValidation("x-ms-version", "2021-12-02");
        request.Headers.TryAddWithoutValidation("x-ms-date", "Sat, 21 Nov 2026 21:00:00 GMT");
        request.Headers.TryAddWithoutValidation("X-MS-Meta-Owner", "  lander   one ");

        var text = SharedKeySigner.BuildStringToSign(request, "devstoreaccount1");

        Assert.Equal(
            "PUT\n\n\n12\n\napplication/json\n\n\n\n*\n\n\n" +
            "x-ms-date:Sat, 21 Nov 2026 21:00:00 GMT\nx-ms-meta-owner:lander one\nx-ms-version:2021-12-02\n" +
            "/devstoreaccount1/devstoreaccount1/lake/a%20b/c%3Dd.json\ncomp:lease\ncomp2:B,A\nprefix:x=y z",
            text);
    }

    [Fact]
    public void BuildStringToSign_EmptyBody_ContentLengthIsEmptyString()
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, "https://acct.blob.core.windows.net/lake/x");
        request.Headers.TryAddWithoutValidation("x-ms-version", "2021-12-02");
        var text = SharedKeySigner.BuildStringToSign(request, "acct");
        Assert.Equal("DELETE\n\n\n\n\n\n\n\n\n\n\n\nx-ms-version:2021-12-02\n/acct/lake/x", text);
    }

    [Fact]
    public void Sign_AddsSharedKeyHeaderWithAccount()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://acct.blob.core.windows.net/lake/x");
        SharedKeySigner.Sign(request, new BlobSharedKeyCredential("acct", Convert.ToBase64String(new byte[32])));
        var header = Assert.Single(request.Headers.GetValues("Authorization"));
        Assert.StartsWith("SharedKey acct:", header, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(header["SharedKey acct:".Length..]).Length);
    }
}
