package azurestore

import (
	"context"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// storageScope is the Entra ID scope for Azure Storage data access.
const storageScope = "https://storage.azure.com/.default"

// clientSecretCredential gets Entra ID tokens with the OAuth 2.0
// client-credentials grant (tenant-id, client-id, client-secret). It keeps
// the project off azidentity, which would pull in MSAL for this one flow.
type clientSecretCredential struct {
	cfg clientcredentials.Config

	mu    sync.Mutex
	token *oauth2.Token
}

func newClientSecretCredential(tenantID, clientID, secret string) *clientSecretCredential {
	host := os.Getenv("AZURE_AUTHORITY_HOST") // as azidentity: sovereign clouds, tests
	if host == "" {
		host = "https://login.microsoftonline.com"
	}
	return &clientSecretCredential{cfg: clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		TokenURL:     strings.TrimRight(host, "/") + "/" + url.PathEscape(tenantID) + "/oauth2/v2.0/token",
		Scopes:       []string{storageScope},
		AuthStyle:    oauth2.AuthStyleInParams,
	}}
}

// GetToken implements azcore.TokenCredential, reusing a token until two
// minutes before it expires.
func (c *clientSecretCredential) GetToken(ctx context.Context, _ policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == nil || time.Until(c.token.Expiry) < 2*time.Minute {
		t, err := c.cfg.Token(ctx)
		if err != nil {
			return azcore.AccessToken{}, err
		}
		c.token = t
	}
	return azcore.AccessToken{Token: c.token.AccessToken, ExpiresOn: c.token.Expiry}, nil
}
