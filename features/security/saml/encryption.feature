@security @saml
Feature: SAML security: Encrypted assertions
  An IdP encrypts the assertion to the certificate the SP advertises (after signing it). Decryption
  proves nothing about the sender, since anyone can encrypt to a public certificate: a correct SP
  decrypts with its own key and then validates the assertion exactly as a plain one. Google
  Workspace does not encrypt assertions, so these scenarios run for Okta and Entra.

  @req-SAML-ENC-1
  Scenario Outline: An honest encrypted assertion is accepted where the SP advertises encryption (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's SP advertises an encryption key to its IdP
    When Alice signs in to Acme through SSO
    Then Alice is signed in to the platform as a managed account of Acme [SAML-ENC-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

  @req-SAML-ENC-2
  Scenario Outline: An unsigned assertion inside an EncryptedAssertion is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's SP advertises an encryption key to its IdP
    And Acme's IdP will send the next response with no signature at all
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-ENC-2]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

  @req-SAML-ENC-3
  Scenario Outline: An assertion encrypted to another key is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's SP advertises an encryption key to its IdP
    And Acme's IdP will send the next response with its assertion encrypted to another key
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-ENC-3]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

  @req-SAML-ENC-4
  Scenario Outline: Signature wrapping through an encrypted assertion is refused (<vendor>, <attack>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's SP advertises an encryption key to its IdP
    And Acme's IdP will send the next response with <attack>
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-ENC-4]

    @okta @saml
    Examples: Okta over SAML
      | vendor | attack |
      | Okta | XSW3 |
      | Okta | XSW4 |

    @entra @saml
    Examples: Entra over SAML
      | vendor | attack |
      | Entra | XSW3 |
      | Entra | XSW4 |

  @req-SAML-ENC-5
  Scenario Outline: An EncryptedAssertion is refused clearly by an SP that advertises no encryption key (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with its assertion encrypted to another key
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-ENC-5]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |
