package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gcs "cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/rogpeppe/go-internal/testscript"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
)

// The same scripts run once per cloud backend against the emulators that
// .ci/emulators.sh starts. Each script gets a fresh bucket (or container)
// whose backups live under the prefix "backups"; besides STORAGE_ENTRY and
// STORAGE_URL it sees
//
//	BUCKET                 the bucket or container
//	STORAGE_MISSING_ENTRY  a storage entry naming a bucket that does not exist
//	STORAGE_MISSING_URL    the same as an ad-hoc URL
//	STORAGE_BADKEY_ENTRY   the script's bucket with a wrong secret
//
// and the provider's usual credential variables (AWS_ACCESS_KEY_ID...,
// AZURE_STORAGE_ACCOUNT/KEY), so ad-hoc URLs carry no secrets.
func TestScriptsCloud(t *testing.T) {
	for _, kind := range []func(t *testing.T) (storageKind, bool){s3Kind, gcsKind, azureKind} {
		k, ok := kind(t)
		if !ok {
			continue
		}
		t.Run(k.name, func(t *testing.T) { runScripts(t, k) })
	}
}

// emulatorEnv returns the variables named, or skips (fails with
// AEROBACKUP_REQUIRE_EMULATORS=1) in a subtest saying why.
func emulatorEnv(t *testing.T, name string, keys ...string) ([]string, bool) {
	var vals []string
	for _, k := range keys {
		v := os.Getenv(k)
		if v == "" {
			t.Run(name, func(t *testing.T) {
				why := k + " is not set; run eval \"$(.ci/emulators.sh start)\" first"
				if os.Getenv("AEROBACKUP_REQUIRE_EMULATORS") == "1" {
					t.Fatal(why)
				}
				t.Skip(why)
			})
			return nil, false
		}
		vals = append(vals, v)
	}
	return vals, true
}

func bucketName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "aerobackup-script-" + hex.EncodeToString(b)
}

func setupCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), time.Minute)
}

func s3Kind(t *testing.T) (storageKind, bool) {
	v, ok := emulatorEnv(t, "s3", "AEROBACKUP_TEST_S3_ENDPOINT", "AEROBACKUP_TEST_S3_ACCESS_KEY_ID", "AEROBACKUP_TEST_S3_SECRET_ACCESS_KEY")
	if !ok {
		return storageKind{}, false
	}
	endpoint, keyID, secret := v[0], v[1], v[2]
	region := os.Getenv("AEROBACKUP_TEST_S3_REGION")
	if region == "" {
		region = "us-east-1"
	}
	admin := s3.New(s3.Options{
		Region: region, BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, ""),
	})
	entry := func(bucket, secret string) string {
		return fmt.Sprintf("    s3-storage:\n      bucket: %s\n      path: backups\n      s3-region: %s\n"+
			"      s3-endpoint-override: %s\n      access-key-id: %s\n      secret-access-key: %s",
			bucket, region, endpoint, keyID, secret)
	}
	adhoc := func(bucket string) string {
		return "s3://" + bucket + "/backups?endpoint=" + url.QueryEscape(endpoint) + "&region=" + region
	}
	return storageKind{
		name: "s3",
		setup: func(env *testscript.Env) error {
			bucket := bucketName()
			ctx, cancel := setupCtx()
			defer cancel()
			if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
				return fmt.Errorf("create bucket %s: %w", bucket, err)
			}
			env.Defer(func() {
				ctx := context.Background()
				p := s3.NewListObjectsV2Paginator(admin, &s3.ListObjectsV2Input{Bucket: &bucket})
				for p.HasMorePages() {
					page, err := p.NextPage(ctx)
					if err != nil {
						break
					}
					for _, o := range page.Contents {
						_, _ = admin.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: o.Key})
					}
				}
				_, _ = admin.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket})
			})
			env.Setenv("BUCKET", bucket)
			env.Setenv("AWS_ACCESS_KEY_ID", keyID)
			env.Setenv("AWS_SECRET_ACCESS_KEY", secret)
			env.Setenv("STORAGE_MISSING_ENTRY", entry(bucket+"-missing", secret))
			env.Setenv("STORAGE_MISSING_URL", adhoc(bucket+"-missing"))
			env.Setenv("STORAGE_BADKEY_ENTRY", entry(bucket, "wrong-"+secret))
			return nil
		},
		entry: func(env *testscript.Env) string { return entry(env.Getenv("BUCKET"), secret) },
		url:   func(env *testscript.Env) string { return adhoc(env.Getenv("BUCKET")) },
	}, true
}

func gcsKind(t *testing.T) (storageKind, bool) {
	v, ok := emulatorEnv(t, "gcs", "AEROBACKUP_TEST_GCS_ENDPOINT")
	if !ok {
		return storageKind{}, false
	}
	endpoint := v[0]
	entry := func(bucket string) string {
		return fmt.Sprintf("    gcp-storage:\n      bucket-name: %s\n      path: backups\n      endpoint: %s", bucket, endpoint)
	}
	adhoc := func(bucket string) string {
		return "gs://" + bucket + "/backups?endpoint=" + url.QueryEscape(endpoint)
	}
	return storageKind{
		name: "gcs",
		setup: func(env *testscript.Env) error {
			ctx, cancel := setupCtx()
			defer cancel()
			admin, err := gcs.NewClient(ctx, option.WithEndpoint(endpoint), option.WithoutAuthentication())
			if err != nil {
				return err
			}
			bucket := bucketName()
			if err := admin.Bucket(bucket).Create(ctx, "test-project", nil); err != nil {
				_ = admin.Close()
				return fmt.Errorf("create bucket %s: %w", bucket, err)
			}
			env.Defer(func() {
				ctx := context.Background()
				it := admin.Bucket(bucket).Objects(ctx, nil)
				for {
					a, err := it.Next()
					if err == iterator.Done || err != nil {
						break
					}
					_ = admin.Bucket(bucket).Object(a.Name).Delete(ctx)
				}
				_ = admin.Bucket(bucket).Delete(ctx)
				_ = admin.Close()
			})
			env.Setenv("BUCKET", bucket)
			env.Setenv("STORAGE_MISSING_ENTRY", entry(bucket+"-missing"))
			env.Setenv("STORAGE_MISSING_URL", adhoc(bucket+"-missing"))
			// fake-gcs-server checks no credentials, so a wrong key cannot
			// be shown on it; a key file that is not a key can.
			notKey := filepath.Join(env.WorkDir, "not-a-key.json")
			if err := os.WriteFile(notKey, []byte("not a key\n"), 0o600); err != nil {
				return err
			}
			env.Setenv("STORAGE_BADKEY_ENTRY", entry(bucket)+"\n      key-file-path: "+notKey)
			return nil
		},
		entry: func(env *testscript.Env) string { return entry(env.Getenv("BUCKET")) },
		url:   func(env *testscript.Env) string { return adhoc(env.Getenv("BUCKET")) },
	}, true
}

func azureKind(t *testing.T) (storageKind, bool) {
	v, ok := emulatorEnv(t, "azure", "AEROBACKUP_TEST_AZURE_ENDPOINT", "AEROBACKUP_TEST_AZURE_ACCOUNT_NAME", "AEROBACKUP_TEST_AZURE_ACCOUNT_KEY")
	if !ok {
		return storageKind{}, false
	}
	endpoint, account, key := v[0], v[1], v[2]
	cred, err := azblob.NewSharedKeyCredential(account, key)
	if err != nil {
		t.Fatalf("AEROBACKUP_TEST_AZURE_ACCOUNT_KEY: %v", err)
	}
	admin, err := azblob.NewClientWithSharedKeyCredential(endpoint, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	entry := func(container, key string) string {
		return fmt.Sprintf("    azure-storage:\n      endpoint: %s\n      container-name: %s\n      path: backups\n"+
			"      account-name: %s\n      account-key: %s", endpoint, container, account, key)
	}
	adhoc := func(container string) string {
		return "azblob://" + container + "/backups?endpoint=" + url.QueryEscape(endpoint)
	}
	return storageKind{
		name: "azure",
		setup: func(env *testscript.Env) error {
			ctx, cancel := setupCtx()
			defer cancel()
			container := bucketName()
			if _, err := admin.CreateContainer(ctx, container, nil); err != nil {
				return fmt.Errorf("create container %s: %w", container, err)
			}
			env.Defer(func() { _, _ = admin.DeleteContainer(context.Background(), container, nil) })
			env.Setenv("BUCKET", container)
			env.Setenv("AZURE_STORAGE_ACCOUNT", account)
			env.Setenv("AZURE_STORAGE_KEY", key)
			env.Setenv("STORAGE_MISSING_ENTRY", entry(container+"-missing", key))
			env.Setenv("STORAGE_MISSING_URL", adhoc(container+"-missing"))
			// a well-formed key that is not the account's
			env.Setenv("STORAGE_BADKEY_ENTRY", entry(container, strings.Repeat("A", len(key)-2)+"=="))
			return nil
		},
		entry: func(env *testscript.Env) string { return entry(env.Getenv("BUCKET"), key) },
		url:   func(env *testscript.Env) string { return adhoc(env.Getenv("BUCKET")) },
	}, true
}
